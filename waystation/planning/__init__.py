"""The 15-minute service circle: coverage of demand by stations, and where to put new ones.

Pure Python (numpy, scipy, highspy, h3, networkx); no Django imports. Usable from the CLI
(``python -m waystation.planning coverage|select|synth``), from Django background tasks and in
notebooks. All coordinates inside are WGS-84; input layers declare their datum.

Calls for the staff page (both return plain JSON-ready dicts with GeoJSON map layers, and call
``progress(fraction, message)`` as they go)::

    from waystation.geo.boundaries import Boundaries
    from waystation.planning import run_coverage, run_selection, make_layer

    city = Boundaries(features, outline)  # the city's districts (or Boundaries.from_city)
    stations = make_layer(lons, lats, ids=codes, datum="wgs84", what="驿站")
    demand = make_layer(lons, lats, weight=w, datum="gcj02", what="需求")
    report = run_coverage(stations, demand, boundaries=city, mode="ebike", minutes=15,
                          detour=1.3, network=None, progress=cb)
    # covered_share, covered_weight, total_weight, by_district (per unit key: name, weights,
    # share), station_load, hotspots, mode/minutes/detour/speed_kmh/travel_model/reach_m,
    # layers.{stations, covered_hexagons, uncovered_hexagons}
    plan = run_selection(stations, demand, candidates, 58, boundaries=city, mode="ebike",
                         minutes=15, time_limit=60, progress=cb)
    # chosen (ids by marginal gain), chosen_sites, covered_share_before/after, objective,
    # bound, proven_optimal, mip_gap, method, seconds, by_district{name, before, after},
    # layers.{chosen_sites, newly_covered_hexagons, uncovered_hexagons}

Demand layers: :func:`synthetic_riders` (seeded, labelled synthetic, inside the given
boundaries), :func:`load_lade` (real Cainiao pickups, Hangzhou/Shanghai), files via
:func:`read_points`. Road networks: :func:`load_graphml`. The bare solver, for precomputed
coverage matrices, is :func:`solve_mclp`. Bad input raises :class:`PlanningError` (a
``ValueError``; message Chinese first).
"""

from waystation.planning.coverage import covered_share, make_reach, run_coverage
from waystation.planning.demand import (
    candidates_from_hotspots,
    load_lade,
    synthetic_riders,
    synthetic_stations,
)
from waystation.planning.io import read_points
from waystation.planning.layers import PlanningError, PointLayer, make_layer
from waystation.planning.selection import MclpSolution, run_selection, solve_mclp
from waystation.planning.travel import MODES, load_graphml, network_from_graph

__all__ = [
    "MODES",
    "MclpSolution",
    "PlanningError",
    "PointLayer",
    "candidates_from_hotspots",
    "covered_share",
    "load_graphml",
    "load_lade",
    "make_layer",
    "make_reach",
    "network_from_graph",
    "read_points",
    "run_coverage",
    "run_selection",
    "solve_mclp",
    "synthetic_riders",
    "synthetic_stations",
]

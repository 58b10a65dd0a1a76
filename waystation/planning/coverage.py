"""Coverage of demand by stations within a travel-time budget.

A demand point is covered when some station is within reach: great-circle distance ≤
speed × minutes / detour (straight-line model), or network distance ≤ speed × minutes
(network model). Nearest-station queries use a KD-tree on 3D unit vectors, which is exact for
great-circle distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from waystation.geo.boundaries import Boundaries
from waystation.geo.distance import chord_to_metres, metres_to_chord, unit_vectors
from waystation.planning import hexgrid
from waystation.planning.layers import PlanningError, PointLayer, Progress, plain, report
from waystation.planning.travel import (
    DEFAULT_DETOUR,
    DEFAULT_MINUTES,
    Network,
    budget_metres,
    network_nearest,
    speed_for,
    straight_radius_m,
)

OUTSIDE = "市外"  # demand outside every unit of the Boundaries


@dataclass(frozen=True)
class Reach:
    """How far one can get: mode, speed, minutes, detour and the resulting distance limit."""

    mode: str
    speed_kmh: float
    minutes: float
    detour: float
    network: Network | None = None

    @property
    def travel_model(self) -> str:
        return "network" if self.network is not None else "straight_line_x_detour"

    @property
    def limit_m(self) -> float:
        """Straight-line radius, or the network distance budget with a network."""
        if self.network is not None:
            return budget_metres(self.speed_kmh, self.minutes)
        return straight_radius_m(self.speed_kmh, self.minutes, self.detour)

    def describe(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "speed_kmh": self.speed_kmh,
            "minutes": self.minutes,
            "detour": 1.0 if self.network is not None else self.detour,
            "travel_model": self.travel_model,
            "reach_m": round(self.limit_m, 1),
        }


def make_reach(
    mode: str = "ebike",
    minutes: float = DEFAULT_MINUTES,
    detour: float = DEFAULT_DETOUR,
    speed_kmh: float | None = None,
    network: Network | None = None,
) -> Reach:
    """Validate travel parameters into a :class:`Reach`."""
    speed = speed_for(mode, speed_kmh)
    reach = Reach(mode, speed, float(minutes), float(detour), network)
    reach.limit_m  # noqa: B018 - validates minutes and detour early
    return reach


def nearest_within(
    st_lon: NDArray[np.float64],
    st_lat: NDArray[np.float64],
    d_lon: NDArray[np.float64],
    d_lat: NDArray[np.float64],
    radius_m: float,
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Great-circle distance to the nearest station within ``radius_m`` and its index.

    Points with no station in reach get distance inf and index -1.
    """
    if st_lon.size == 0:
        return np.full(d_lon.size, np.inf), np.full(d_lon.size, -1, dtype=np.intp)
    tree = cKDTree(unit_vectors(st_lon, st_lat))
    bound = float(metres_to_chord(radius_m)) * (1.0 + 1e-9)
    chord, idx = tree.query(unit_vectors(d_lon, d_lat), k=1, distance_upper_bound=bound, workers=-1)
    dist = chord_to_metres(chord)
    ok = dist <= radius_m
    return np.where(ok, dist, np.inf), np.where(ok, idx, -1).astype(np.intp)


def nearest_station(
    stations: PointLayer, demand: PointLayer, reach: Reach
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Travel distance (m, inf if out of reach) and index of the serving station per point."""
    if reach.network is not None:
        return network_nearest(
            reach.network, stations.lon, stations.lat, demand.lon, demand.lat, reach.limit_m
        )
    return nearest_within(stations.lon, stations.lat, demand.lon, demand.lat, reach.limit_m)


def covered_share(stations: PointLayer, demand: PointLayer, reach: Reach) -> float:
    """Share of demand weight within reach of some station (0..1)."""
    _dist, station = nearest_station(stations, demand, reach)
    total = float(demand.weight.sum())
    return float(demand.weight[station >= 0].sum()) / total if total > 0 else 0.0


def by_district(
    demand: PointLayer,
    covered: NDArray[np.bool_],
    boundaries: Boundaries,
    keys: NDArray[Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Covered and total weight per unit of ``boundaries``, keyed by unit key (``市外`` for
    points outside every unit), each with the unit's ``name``; units in their given order.

    ``keys`` is ``boundaries.unit_of(demand.lon, demand.lat)`` when the caller has it already.
    """
    if keys is None:
        keys = boundaries.unit_of(demand.lon, demand.lat)
    units = boundaries.units
    rank = {u.key: i for i, u in enumerate(units)}
    outside = len(units)  # the last slot: 市外
    slot = np.fromiter((rank.get(k, outside) for k in keys), dtype=np.intp, count=len(keys))
    count = np.bincount(slot, minlength=outside + 1)
    total = np.bincount(slot, weights=demand.weight, minlength=outside + 1)
    cov = np.bincount(slot[covered], weights=demand.weight[covered], minlength=outside + 1)
    out: dict[str, dict[str, Any]] = {}
    for i in np.flatnonzero(count):
        key, name = (units[i].key, units[i].name) if i < outside else (OUTSIDE, OUTSIDE)
        out[key] = {
            "name": name,
            "n_demand": int(count[i]),
            "total_weight": float(total[i]),
            "covered_weight": float(cov[i]),
            "covered_share": round(float(cov[i] / total[i]), 6) if total[i] > 0 else 0.0,
        }
    return out


def station_load(
    stations: PointLayer, demand: PointLayer, station: NDArray[np.intp]
) -> list[dict[str, Any]]:
    """Demand weight and count assigned to each station (nearest station within reach)."""
    ok = station >= 0
    w = np.bincount(station[ok], weights=demand.weight[ok], minlength=len(stations))
    c = np.bincount(station[ok], minlength=len(stations))
    return [
        {"id": plain(stations.ids[i]), "load_weight": float(w[i]), "n_demand": int(c[i])}
        for i in range(len(stations))
    ]


def run_coverage(
    stations: PointLayer,
    demand: PointLayer,
    *,
    boundaries: Boundaries,
    mode: str = "ebike",
    minutes: float = DEFAULT_MINUTES,
    detour: float = DEFAULT_DETOUR,
    speed_kmh: float | None = None,
    network: Network | None = None,
    hex_resolution: int = hexgrid.DEFAULT_RESOLUTION,
    layers: bool = True,
    top_hotspots: int = 20,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Full coverage report as a plain dict (JSON-ready).

    ``boundaries`` are the units ``by_district`` reports on (a city's districts).

    Keys: covered_share, covered_weight, total_weight, by_district, mode, minutes, detour,
    speed_kmh, travel_model, reach_m, n_stations, n_demand, demand_source, synthetic,
    station_load, hotspots (top uncovered H3 cells) and, with ``layers``, GeoJSON
    FeatureCollections ``layers.stations``, ``layers.covered_hexagons`` and
    ``layers.uncovered_hexagons``.
    """
    if len(stations) == 0:
        raise PlanningError("驿站图层为空 (stations layer is empty)")
    if len(demand) == 0:
        raise PlanningError("需求图层为空 (demand layer is empty)")
    reach = make_reach(mode, minutes, detour, speed_kmh, network)
    report(progress, 0.05, "计算最近驿站 (nearest stations)")
    _dist, station = nearest_station(stations, demand, reach)
    covered = station >= 0
    total = float(demand.weight.sum())
    cov_w = float(demand.weight[covered].sum())
    report(progress, 0.4, "按行政区汇总 (by district)")
    result: dict[str, Any] = {
        "covered_share": round(cov_w / total, 6) if total > 0 else 0.0,
        "covered_weight": cov_w,
        "total_weight": total,
        "by_district": by_district(demand, covered, boundaries),
        **reach.describe(),
        "n_stations": len(stations),
        "n_demand": len(demand),
        "demand_source": demand.source,
        "synthetic": demand.source == "synthetic",
    }
    result["station_load"] = station_load(stations, demand, station)
    report(progress, 0.6, "汇总未覆盖热点 (uncovered hotspots)")
    unc = ~covered
    cells, w, c = hexgrid.aggregate(
        demand.lon[unc], demand.lat[unc], demand.weight[unc], hex_resolution
    )
    clon, clat = hexgrid.centres(cells[:top_hotspots])
    result["hotspots"] = [
        {
            "h3": str(cells[i]),
            "weight": float(w[i]),
            "count": int(c[i]),
            "lon": round(float(clon[i]), 6),
            "lat": round(float(clat[i]), 6),
        }
        for i in range(min(top_hotspots, cells.size))
    ]
    if layers:
        report(progress, 0.8, "生成地图图层 (map layers)")
        ccells, cw, cc = hexgrid.aggregate(
            demand.lon[covered], demand.lat[covered], demand.weight[covered], hex_resolution
        )
        result["layers"] = {
            "stations": points_geojson(
                stations,
                {"load_weight": np.array([s["load_weight"] for s in result["station_load"]])},
            ),
            "covered_hexagons": hexgrid.hexagons_geojson(ccells, {"weight": cw, "count": cc}),
            "uncovered_hexagons": hexgrid.hexagons_geojson(cells, {"weight": w, "count": c}),
        }
    report(progress, 1.0, "完成 (done)")
    return result


def points_geojson(
    layer: PointLayer, properties: dict[str, NDArray[Any]] | None = None
) -> dict[str, Any]:
    """A point layer as a GeoJSON FeatureCollection (WGS-84)."""
    props = properties or {}
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": plain(layer.ids[i]),
                    "weight": float(layer.weight[i]),
                    **{k: plain(v[i]) for k, v in props.items()},
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(float(layer.lon[i]), 7), round(float(layer.lat[i]), 7)],
                },
            }
            for i in range(len(layer))
        ],
    }


def pairs_within(
    d_lon: NDArray[np.float64],
    d_lat: NDArray[np.float64],
    c_lon: NDArray[np.float64],
    c_lat: NDArray[np.float64],
    radius_m: float,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """All (demand index, candidate index) pairs within ``radius_m`` great-circle metres."""
    if d_lon.size == 0 or c_lon.size == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    bound = float(metres_to_chord(radius_m)) * (1.0 + 1e-9)
    d_tree = cKDTree(unit_vectors(d_lon, d_lat))
    c_tree = cKDTree(unit_vectors(c_lon, c_lat))
    pairs = d_tree.sparse_distance_matrix(c_tree, bound, output_type="ndarray")
    ok = chord_to_metres(pairs["v"]) <= radius_m
    return pairs["i"][ok].astype(np.intp), pairs["j"][ok].astype(np.intp)

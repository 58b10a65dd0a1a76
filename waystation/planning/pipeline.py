"""Site selection from point layers: the steps before and after the solver.

:func:`waystation.planning.selection.run_selection` is these steps in order, with the MCLP solver
(:func:`~waystation.planning.selection.solve_mclp`) in the middle; like
:func:`~waystation.planning.coverage.run_coverage` it takes layers and returns a plain dict.

1. :func:`selection_check`: empty layers and a ``k`` out of range are refused; then the reach
   is made (:func:`~waystation.planning.coverage.make_reach`: mode, minutes, detour, network).
2. :func:`selection_problem`: mark the demand the existing stations already reach (it adds
   nothing, so it never enters the model); pair the rest with the candidates within reach
   (straight line × detour, or the road network) into the boolean demand × candidate matrix
   the solver takes.
3. the solver, its progress mapped into this run's (:func:`stage`).
4. :func:`selection_report`: coverage before and after, per unit of the caller's
   :class:`~waystation.geo.boundaries.Boundaries`, the chosen sites by gain,
   the solver's bound and proof, and the map layers.

Coverage after = before, plus the demand any chosen site reaches: the solver's objective is the
weight of exactly that new demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from waystation.geo.boundaries import Boundaries
from waystation.planning import hexgrid
from waystation.planning.coverage import (
    Reach,
    by_district,
    nearest_station,
    pairs_within,
    points_geojson,
)
from waystation.planning.layers import PlanningError, PointLayer, Progress, plain, report
from waystation.planning.travel import network_cover_pairs

if TYPE_CHECKING:  # the solver's answer; selection.py imports this module, not the reverse
    from waystation.planning.selection import MclpSolution

SOLVER_START, SOLVER_SPAN = 0.15, 0.75  # the solver's share of a run's progress


@dataclass(frozen=True)
class SelectionProblem:
    """Layers and reach of one run, and the model handed to the solver.

    ``before`` marks the demand existing stations reach; ``todo`` indexes the rest, the rows of
    ``cover`` (todo × candidates, True where a candidate reaches the point).
    """

    stations: PointLayer
    demand: PointLayer
    candidates: PointLayer
    k: int
    reach: Reach
    before: NDArray[np.bool_]
    todo: NDArray[np.intp]
    cover: sparse.csr_matrix

    @property
    def weight(self) -> NDArray[np.float64]:
        """Weights of the rows of ``cover``."""
        return self.demand.weight[self.todo]


def cover_matrix(
    rows: NDArray[np.intp], cols: NDArray[np.intp], n_demand: int, n_candidates: int
) -> sparse.csr_matrix:
    """Boolean demand × candidate matrix from (demand, candidate) pairs within reach."""
    data = np.ones(rows.size, dtype=bool)
    mat = sparse.csr_matrix((data, (rows, cols)), shape=(n_demand, n_candidates), dtype=bool)
    mat.sum_duplicates()
    return mat


def selection_check(demand: PointLayer, candidates: PointLayer, k: int) -> None:
    """Step 1: refuse empty layers and a ``k`` outside 1..len(candidates)."""
    if len(demand) == 0:
        raise PlanningError("需求图层为空 (demand layer is empty)")
    if len(candidates) == 0:
        raise PlanningError("候选点图层为空 (candidates layer is empty)")
    if k < 1 or k > len(candidates):
        raise PlanningError(
            f"k={k} 须在 1 到候选点数 {len(candidates)} 之间"
            f" (k must be between 1 and the number of candidates)"
        )


def selection_problem(
    stations: PointLayer,
    demand: PointLayer,
    candidates: PointLayer,
    k: int,
    *,
    reach: Reach,
    progress: Progress | None = None,
) -> SelectionProblem:
    """Step 2: coverage by the existing stations, and the candidates' cover matrix of the rest."""
    report(progress, 0.02, "现有驿站覆盖 (coverage by existing stations)")
    if len(stations):
        _d, station = nearest_station(stations, demand, reach)
        before = station >= 0
    else:
        before = np.zeros(len(demand), dtype=bool)
    todo = np.flatnonzero(~before)
    report(progress, 0.1, "候选点覆盖范围 (candidate reach)")
    if reach.network is not None:
        rows, cols = network_cover_pairs(
            reach.network,
            candidates.lon,
            candidates.lat,
            demand.lon[todo],
            demand.lat[todo],
            reach.limit_m,
        )
    else:
        rows, cols = pairs_within(
            demand.lon[todo], demand.lat[todo], candidates.lon, candidates.lat, reach.limit_m
        )
    cover = cover_matrix(rows, cols, todo.size, len(candidates))
    return SelectionProblem(stations, demand, candidates, k, reach, before, todo, cover)


def stage(progress: Progress | None, start: float, span: float) -> Progress:
    """A progress callback for one stage, reporting its 0..1 as start..start+span of the run."""

    def inner(fraction: float, message: str) -> None:
        report(progress, start + span * fraction, message)

    return inner


def selection_report(
    problem: SelectionProblem,
    sol: MclpSolution,
    *,
    boundaries: Boundaries,
    layers: bool = True,
    hex_resolution: int = hexgrid.DEFAULT_RESOLUTION,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Step 4: the plain dict :func:`~waystation.planning.selection.run_selection` returns
    (without ``seconds``, which the caller adds last)."""
    demand, candidates, before = problem.demand, problem.candidates, problem.before
    after = before.copy()
    if sol.chosen.size:
        newly = np.asarray(problem.cover[:, sol.chosen].sum(axis=1)).ravel() > 0
        after[problem.todo[newly]] = True
    total = float(demand.weight.sum())
    w_before = float(demand.weight[before].sum())
    w_after = float(demand.weight[after].sum())
    keys = boundaries.unit_of(demand.lon, demand.lat)
    d_before = by_district(demand, before, boundaries, keys)
    d_after = by_district(demand, after, boundaries, keys)
    result: dict[str, Any] = {
        "chosen": [plain(candidates.ids[j]) for j in sol.chosen],
        "chosen_sites": [
            {
                "rank": r + 1,
                "id": plain(candidates.ids[j]),
                "lon": round(float(candidates.lon[j]), 7),
                "lat": round(float(candidates.lat[j]), 7),
                "gain": float(g),
            }
            for r, (j, g) in enumerate(zip(sol.chosen, sol.gains, strict=True))
        ],
        "k": problem.k,
        "covered_share_before": round(w_before / total, 6) if total else 0.0,
        "covered_share_after": round(w_after / total, 6) if total else 0.0,
        "covered_weight_before": w_before,
        "covered_weight_after": w_after,
        "total_weight": total,
        "objective": sol.objective,
        "bound": sol.bound,
        "proven_optimal": sol.proven_optimal,
        "mip_gap": sol.mip_gap,
        "method": sol.method,
        "by_district": {
            key: {
                "name": d_before[key]["name"],
                "before": d_before[key]["covered_share"],
                "after": d_after[key]["covered_share"],
                "total_weight": d_before[key]["total_weight"],
            }
            for key in d_before
        },
        **problem.reach.describe(),
        "n_stations": len(problem.stations),
        "n_demand": len(demand),
        "n_candidates": len(candidates),
        "demand_source": demand.source,
        "synthetic": demand.source == "synthetic",
        "model": sol.stats,
    }
    if layers:
        report(progress, 0.92, "生成地图图层 (map layers)")
        result["layers"] = _map_layers(problem, sol, after, hex_resolution)
    return result


def _map_layers(
    problem: SelectionProblem,
    sol: MclpSolution,
    after: NDArray[np.bool_],
    hex_resolution: int,
) -> dict[str, Any]:
    """The chosen sites, and hexagons of newly covered and of still uncovered demand."""
    demand = problem.demand
    newly_mask = after & ~problem.before
    n_cells, n_w, n_c = hexgrid.aggregate(
        demand.lon[newly_mask], demand.lat[newly_mask], demand.weight[newly_mask], hex_resolution
    )
    u_cells, u_w, u_c = hexgrid.aggregate(
        demand.lon[~after], demand.lat[~after], demand.weight[~after], hex_resolution
    )
    return {
        "chosen_sites": points_geojson(
            problem.candidates.subset(sol.chosen),
            {"rank": np.arange(1, sol.chosen.size + 1), "gain": np.asarray(sol.gains)},
        ),
        "newly_covered_hexagons": hexgrid.hexagons_geojson(n_cells, {"weight": n_w, "count": n_c}),
        "uncovered_hexagons": hexgrid.hexagons_geojson(u_cells, {"weight": u_w, "count": u_c}),
    }

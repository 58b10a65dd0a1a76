"""Nearest-station benchmark: our index (service and API) against PostGIS KNN (`<->`), side by side.

Run:  .venv/bin/python benchmarks/nearest.py                       (both sizes, ~2 min on 2 cores)
      .venv/bin/python benchmarks/nearest.py --sizes 312 --rounds 3 --queries 500
      DATABASE_URL=postgres://… .venv/bin/python benchmarks/nearest.py   (a server of yours)
      .venv/bin/python benchmarks/nearest.py --sqlite                 (no PostgreSQL: no anchor)

Without DATABASE_URL the script starts its own PostgreSQL cluster with scripts/postgres.sh
(NEAREST_BENCH_PG_DIR, default /tmp/waystation-bench-pg; NEAREST_BENCH_PG_PORT, default 54347)
and stops it at the end. The anchor needs PostGIS in that server: on Debian 12
`apt-get install -y postgresql-15-postgis-3` (not needed by the project or its tests).
A throwaway database (TEST_DB_NAME, default bench_nearest) is created and dropped.

For each size the station table is filled with the same points on both sides:
- 312: the Changzhou demo layout (random points inside the real city boundary);
- 160,000: "national scale", stations clustered around 400 synthetic city centres over eastern
  and central China (each city a Gaussian blob of ~15 km).
10 % of stations are open 24 hours, the others 08:00–20:00; 10 % offer legal aid. Query points
lie near stations (a rider is where the stations are), `limit=5`.

- ours: `selectors.stations_nearest(lon, lat, limit=5)`: input checks, the registry stamp (read
  at most once a second), the index, open/closed state and travel times of each hit. Also with
  `service=legal_aid` and with `open_now=true` at 12:00 (most stations open) and at 23:00 (only
  the 24-hour ones: the index must look further for five).
- ours (API): `GET /api/v1/stations/nearest` through Django's test client (URL routing,
  django-ninja parsing and JSON rendering; no network).
- anchor: PostGIS on the same server, `geography(Point)` with a GiST index, a prepared
  `SELECT id, ST_Distance(g, q) … ORDER BY g <-> q LIMIT 5` over one psycopg connection (no
  Django, no JSON on that side); also with the legal-aid filter in the WHERE clause. PostGIS
  has no opening hours: `open_now` is compared with the plain KNN, which does less.
- rebuild: a registry change, then API queries while a background thread builds the new index
  (they are answered from the previous one), against API queries just before, repeated.

Side by side: every round runs every variant over the same query points, in an order that
rotates from round to round, PostGIS among them. A ratio is ours / PostGIS within one round;
the median and range over rounds are printed, so that load from other processes falls on both
sides alike. At the end the script prints the headline rows of benchmarks/README.md with the
date, the machine's load (`uptime`) and the command.
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waystation.settings")
os.environ.setdefault("TEST_DB_NAME", "bench_nearest")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="312,160000")
    parser.add_argument("--queries", type=int, default=2000, help="query points per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rebuilds", type=int, default=3, help="background rebuilds per size")
    parser.add_argument("--sqlite", action="store_true", help="no PostgreSQL, no anchor")
    return parser


def _own_postgres() -> None:
    """Start a cluster of our own (scripts/postgres.sh) and point DATABASE_URL at it."""
    env = dict(
        os.environ,
        PGTEST_DIR=os.environ.get(
            "NEAREST_BENCH_PG_DIR", str(Path(tempfile.gettempdir()) / "waystation-bench-pg")
        ),
        PGTEST_PORT=os.environ.get("NEAREST_BENCH_PG_PORT", "54347"),
    )
    script = str(ROOT / "scripts" / "postgres.sh")
    url = subprocess.run(
        [script, "start"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    os.environ["DATABASE_URL"] = url
    atexit.register(subprocess.run, [script, "stop"], env=env, check=False)


if __name__ == "__main__":
    ARGS = _parser().parse_args()
    if not ARGS.sqlite and not os.environ.get("DATABASE_URL"):
        _own_postgres()

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from waystation.geo import cnmaps  # noqa: E402
from waystation.geo.boundaries import Boundaries  # noqa: E402
from waystation.stations import index as station_index  # noqa: E402
from waystation.stations.hours import TZ  # noqa: E402
from waystation.stations.models import SERVICE_BITS, Station, services_mask  # noqa: E402
from waystation.stations.selectors import stations_nearest  # noqa: E402
from waystation.stations.services import registry_touch  # noqa: E402

GOAL_P99_MS = 20.0
SEED = 42
LEGAL = SERVICE_BITS["legal_aid"]


def national_points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    cities = 400
    c_lon = rng.uniform(100.0, 122.0, cities)
    c_lat = rng.uniform(22.0, 41.0, cities)
    weight = rng.pareto(1.2, cities) + 1.0
    which = rng.choice(cities, size=n, p=weight / weight.sum())
    spread_deg = 15_000 / 111_000  # ~15 km
    lon = c_lon[which] + rng.normal(0, spread_deg, n) / np.cos(np.radians(c_lat[which]))
    lat = c_lat[which] + rng.normal(0, spread_deg, n)
    return lon, lat


def fill(lon: np.ndarray, lat: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The stations (codes B000000…); returns their services masks."""
    Station.objects.all().delete()
    legal_mask = services_mask(["water", "rest", "legal_aid"])
    other_mask = services_mask(["water", "rest", "charging"])
    all_day = rng.random(lon.size) < 0.1
    masks = np.where(rng.random(lon.size) < 0.1, legal_mask, other_mask)
    daily = [[["08:00", "20:00"]]] * 7
    Station.objects.bulk_create(
        (
            Station(
                code=f"B{i:06d}",
                name=f"驿站{i}",
                district="tianning",
                lon=float(lon[i]),
                lat=float(lat[i]),
                weekly_hours=[] if all_day[i] else daily,
                is_24h=bool(all_day[i]),
                services_mask=int(masks[i]),
            )
            for i in range(lon.size)
        ),
        batch_size=5000,
    )
    registry_touch()
    return masks


def query_points(lon: np.ndarray, lat: np.ndarray, q: int, rng: np.random.Generator):
    pick = rng.integers(0, lon.size, q)
    # a rider 0–2 km from some station
    return (
        (lon[pick] + rng.normal(0, 0.01, q)).tolist(),
        (lat[pick] + rng.normal(0, 0.01, q)).tolist(),
    )


def timed(fn, points) -> list[float]:
    out = []
    for x, y in zip(*points, strict=True):
        t0 = time.perf_counter()
        fn(x, y)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(ms: list[float], q: float) -> float:
    s = sorted(ms)
    return s[min(len(s) - 1, int(q * len(s)))]


def qps(ms: list[float]) -> float:
    return 1000.0 / statistics.fmean(ms)


def postgis_setup(lon: np.ndarray, lat: np.ndarray, masks: np.ndarray) -> str | None:
    """The anchor's table; its PostGIS version, or None (with the reason printed)."""
    with connection.cursor() as cur:
        try:
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except Exception as exc:
            print(f"  PostGIS not available: {str(exc).splitlines()[0]}")
            print("  (Debian 12: apt-get install -y postgresql-15-postgis-3)")
            return None
        cur.execute("SELECT postgis_lib_version()")
        version = cur.fetchone()[0]
        cur.execute("DROP TABLE IF EXISTS bench_knn")
        cur.execute(
            "CREATE TABLE bench_knn (id integer PRIMARY KEY, mask integer NOT NULL,"
            " g geography(Point, 4326))"
        )
        raw = cur.cursor  # psycopg 3 cursor for COPY
        with raw.copy("COPY bench_knn (id, mask, g) FROM STDIN") as copy:
            for i, (x, y, m) in enumerate(zip(lon, lat, masks, strict=True)):
                copy.write_row((i, int(m), f"SRID=4326;POINT({x:.9f} {y:.9f})"))
        cur.execute("CREATE INDEX bench_knn_g ON bench_knn USING gist (g)")
        cur.execute("ANALYZE bench_knn")
    return version


def postgis_query_fn(bit: int = 0):
    raw = connection.connection  # the psycopg connection: no Django in the anchor's loop
    cur = raw.cursor()
    knn = (
        "SELECT id, ST_Distance(g, q) FROM bench_knn,"
        " (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography AS q) p"
    )
    sql = {
        False: f"{knn} ORDER BY g <-> q LIMIT 5",
        True: f"{knn} WHERE mask & %s = %s ORDER BY g <-> q LIMIT 5",
    }[bool(bit)]
    extra = (bit, bit) if bit else ()

    def run(x: float, y: float):
        cur.execute(sql, (x, y, *extra), prepare=True)
        return cur.fetchall()

    return run


def side_by_side(variants: dict, points, rounds: int) -> tuple[dict, dict]:
    """Every variant over the same points each round, in a rotating order: (all samples in ms,
    q/s of each round) by variant."""
    names = list(variants)
    samples: dict[str, list[float]] = {name: [] for name in names}
    per_round: dict[str, list[float]] = {name: [] for name in names}
    warm = (points[0][:50], points[1][:50])
    for fn in variants.values():
        timed(fn, warm)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            ms = timed(variants[name], points)
            samples[name] += ms
            per_round[name].append(qps(ms))
    return samples, per_round


def ratio(per_round: dict, ours: str, anchor: str) -> tuple[float, float, float]:
    rs = [a / b for a, b in zip(per_round[ours], per_round[anchor], strict=True)]
    return statistics.median(rs), min(rs), max(rs)


def rebuilds(api, points, repeats: int) -> dict:
    """API queries just before and during each background rebuild after a registry change."""
    before: list[float] = []
    during: list[float] = []
    builds: list[float] = []
    n = len(points[0])
    i = 0
    for _ in range(repeats):
        station_index.rebuild_wait()
        before += timed(api, (points[0][:300], points[1][:300]))
        old = station_index.station_index()
        registry_touch()
        while station_index.station_index() is old:
            x, y = points[0][i % n], points[1][i % n]
            q0 = time.perf_counter()
            api(x, y)
            during.append((time.perf_counter() - q0) * 1000)
            i += 1
        station_index.rebuild_wait()
        builds.append(station_index.last_build_seconds)
    return {"before": before, "during": during, "builds": builds}


def line(name: str, ms: list[float], extra: str = "") -> None:
    print(
        f"  {name:<36} {qps(ms):>9,.0f} q/s   p50 {pct(ms, 0.5):7.3f} ms   "
        f"p99 {pct(ms, 0.99):7.3f} ms{extra}"
    )


def bench(n: int, queries: int, rounds: int, repeats: int, anchor: bool) -> dict:
    rng = np.random.default_rng(SEED + n)
    if n <= 1000:
        lon, lat = Boundaries.from_city(cnmaps.city("320400")).random_points(n, rng)
        where = "Changzhou"
    else:
        lon, lat = national_points(n, rng)
        where = "national"
    print(f"\n{n:,} stations ({where}), {queries:,} queries × {rounds} rounds, limit=5")
    t0 = time.perf_counter()
    masks = fill(lon, lat, rng)
    print(f"  fill table: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    station_index.station_index()  # inline in a cold process, else in the background
    station_index.rebuild_wait()
    print(f"  index build (load + arrays + cKDTree): {(time.perf_counter() - t0) * 1000:.0f} ms")
    points = query_points(lon, lat, queries, rng)
    client = Client()
    today = datetime.now(TZ).date()
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=TZ)
    night = noon.replace(hour=23)

    def api(x, y):
        resp = client.get(f"/api/v1/stations/nearest?lon={x}&lat={y}&limit=5")
        assert resp.status_code == 200, resp.content
        return resp

    variants = {
        "ours: service": lambda x, y: stations_nearest(lon=x, lat=y, limit=5),
        "ours: service=legal_aid": lambda x, y: stations_nearest(
            lon=x, lat=y, limit=5, service="legal_aid"
        ),
        "ours: open_now at 12:00": lambda x, y: stations_nearest(
            lon=x, lat=y, limit=5, open_now=True, at=noon
        ),
        "ours: open_now at 23:00": lambda x, y: stations_nearest(
            lon=x, lat=y, limit=5, open_now=True, at=night
        ),
        "ours: API (test client)": api,
    }
    pg_version = postgis_setup(lon, lat, masks) if anchor else None
    if pg_version:
        variants["PostGIS: <->"] = postgis_query_fn()
        variants["PostGIS: <->, legal aid filter"] = postgis_query_fn(LEGAL)
    samples, per_round = side_by_side(variants, points, rounds)
    for name, ms in samples.items():
        line(name, ms)
    out = {"n": n, "samples": samples, "per_round": per_round, "ratios": {}, "pg": pg_version}
    if pg_version:
        pg = variants["PostGIS: <->"]
        agree = sum(
            int(pg(x, y)[0][0]) == int(stations_nearest(lon=x, lat=y, limit=1)[0].code[1:])
            for x, y in zip(points[0][:200], points[1][:200], strict=True)
        )
        print(f"  nearest agrees with PostGIS on {agree}/200 queries")
        pairs = [
            ("ours: service", "PostGIS: <->"),
            ("ours: open_now at 12:00", "PostGIS: <->"),
            ("ours: open_now at 23:00", "PostGIS: <->"),
            ("ours: service=legal_aid", "PostGIS: <->, legal aid filter"),
            ("ours: API (test client)", "PostGIS: <->"),
        ]
        for ours, theirs in pairs:
            med, lo, hi = out["ratios"][ours] = ratio(per_round, ours, theirs)
            print(f"  {ours} / {theirs}: {med:.2f}× (rounds {lo:.2f}–{hi:.2f}×)")
    rb = out["rebuild"] = rebuilds(api, points, repeats)
    builds = ", ".join(f"{b:.2f}" for b in rb["builds"])
    print(f"  {repeats} rebuilds after a change, in the background: {builds} s")
    line("ours: API just before the rebuilds", rb["before"])
    line("ours: API during the rebuilds", rb["during"], f"   ({len(rb['during'])} queries)")
    p99s = [pct(samples["ours: API (test client)"], 0.99), pct(rb["during"], 0.99)]
    verdict = "meets" if max(p99s) < GOAL_P99_MS else "MISSES"
    print(f"  goal API p99 < {GOAL_P99_MS:.0f} ms (also during rebuilds): {verdict}")
    return out


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def headline(
    results: list[dict], started: datetime, load_start: str, command: str, server: str
) -> None:
    """The rows for benchmarks/README.md, ready to paste."""
    pg = next((r["pg"] for r in results if r["pg"]), None)
    print("\n--- headline for benchmarks/README.md " + "-" * 40)
    print("\nRows of the table under 'Latest figures', largest first:\n")
    for r in sorted(results, key=lambda r: -r["n"]):
        s, rb = r["samples"], r["rebuild"]
        api = s["ours: API (test client)"]
        ours = (
            f"service {qps(s['ours: service']):,.0f} q/s, open_now "
            f"{qps(s['ours: open_now at 12:00']):,.0f} / {qps(s['ours: open_now at 23:00']):,.0f}"
            f" q/s (12:00 / 23:00); API p99 {pct(api, 0.99):.1f} ms, "
            f"{pct(rb['during'], 0.99):.1f} ms during a background rebuild"
        )
        if r["pg"]:
            ratios = r["ratios"]
            anchor = f"PostGIS `<->` {qps(s['PostGIS: <->']):,.0f} q/s"
            rel = (
                f"{ratios['ours: service'][0]:.1f}× (open_now "
                f"{ratios['ours: open_now at 12:00'][0]:.1f}× / "
                f"{ratios['ours: open_now at 23:00'][0]:.1f}×)"
            )
        else:
            anchor, rel = "—", "—"
        goal = "p99 < 20 ms, also during a rebuild; " if r["n"] > 1000 else ""
        print(
            f"| `nearest.py`, {r['n']:,} stations¹ | {ours} | {anchor} | {rel} | {goal}ahead of PostGIS |"
        )
    print(
        f"\n¹ nearest.py rows: measured {started:%Y-%m-%d %H:%M} (Asia/Shanghai) on "
        f"{os.cpu_count()} cores, load average {load_start} at the start and {_load()} at the end "
        f"(`uptime`: 1, 5, 15 min); Python {platform.python_version()}, {server}"
        f"{f', PostGIS {pg}' if pg else ''}; `{command}`. Ratios: median of the rounds.\n"
    )
    print("The detailed table of the nearest.py section:")
    print(
        "\n| stations | ours: service | open_now 12:00 / 23:00 | service=legal_aid | PostGIS `<->` "
        "| PostGIS, legal-aid filter | ours / PostGIS: service, open_now 12:00, 23:00, legal_aid "
        "(median of rounds, range) | API p50 / p99 | API during rebuilds p50 / p99 (n) "
        "| rebuild |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        s, rb, ratios = r["samples"], r["rebuild"], r["ratios"]

        def q(name: str, s=s) -> str:
            return f"{qps(s[name]):,.0f}" if name in s else "—"

        def x(name: str, ratios=ratios) -> str:
            if name not in ratios:
                return "—"
            med, lo, hi = ratios[name]
            return f"{med:.2f}× ({lo:.2f}–{hi:.2f})"

        api = s["ours: API (test client)"]
        print(
            f"| {r['n']:,} | {q('ours: service')} q/s | {q('ours: open_now at 12:00')} / "
            f"{q('ours: open_now at 23:00')} q/s | {q('ours: service=legal_aid')} q/s | "
            f"{q('PostGIS: <->')} q/s | {q('PostGIS: <->, legal aid filter')} q/s | "
            f"{x('ours: service')}, {x('ours: open_now at 12:00')}, "
            f"{x('ours: open_now at 23:00')}, {x('ours: service=legal_aid')} | "
            f"{pct(api, 0.5):.2f} / {pct(api, 0.99):.2f} ms | "
            f"{pct(rb['during'], 0.5):.2f} / {pct(rb['during'], 0.99):.2f} ms "
            f"({len(rb['during']):,}) | {max(rb['builds']):.2f} s |"
        )


def main() -> None:
    args = ARGS
    started, load_start = datetime.now(TZ), _load()
    command = " ".join(
        [".venv/bin/python", "benchmarks/nearest.py", *(shlex.quote(a) for a in sys.argv[1:])]
    )
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    on_pg = connection.vendor == "postgresql"
    print(f"{uptime}\npython {platform.python_version()} · {os.cpu_count()} cores")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    results = []
    try:
        server = "SQLite (no PostGIS anchor)"
        if on_pg:
            with connection.cursor() as cur:
                cur.execute("SELECT version()")
                server = cur.fetchone()[0].split(" on ")[0]
        print(server)
        for n in (int(s) for s in args.sizes.split(",")):
            results.append(bench(n, args.queries, args.rounds, args.rebuilds, anchor=on_pg))
        headline(results, started, load_start, command, server)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()

"""Nearest-station benchmark: our KD-tree service and API against PostGIS KNN (`<->`).

Run:  DATABASE_URL=postgres://waystation@127.0.0.1:54329/waystation .venv/bin/python benchmarks/nearest.py
      .venv/bin/python benchmarks/nearest.py --sizes 312 --queries 500      (SQLite: no anchor)

A throwaway database (TEST_DB_NAME, default bench_nearest) is created and dropped here. For each
size the station table is filled with the same points on both sides:
- 312: the Changzhou demo layout (random points inside the real city boundary);
- 160,000: "national scale", stations clustered around 400 synthetic city centres over eastern
  and central China (each city a Gaussian blob of ~15 km).
Query points lie near stations (a rider is where the stations are).

- ours (service): `selectors.stations_nearest(lon, lat, limit=5)` — input checks, the registry
  stamp read (one primary-key query), the cached cKDTree on unit vectors, travel times.
  Also with `service=legal_aid` (10 % of stations) and `open_now=true`.
- ours (API): `GET /api/v1/stations/nearest` through Django's test client (URL routing,
  django-ninja parsing and JSON rendering; no network).
- rebuild: a registry change, then API queries while a background thread builds the new index
  (they get the previous one); prints the build time and the queries' latency meanwhile.
- anchor: PostGIS 3 on the same server, `geography(Point)` with a GiST index, a prepared
  `SELECT id, ST_Distance(g, q) FROM t ORDER BY g <-> q LIMIT 5` per query (index KNN, exact
  spheroid distances), run over one psycopg connection — no Django or JSON on this side.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waystation.settings")
os.environ.setdefault("TEST_DB_NAME", "bench_nearest")

import django

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from waystation.geo.boundaries import random_points_in  # noqa: E402
from waystation.stations import index as station_index  # noqa: E402
from waystation.stations.models import Station, services_mask  # noqa: E402
from waystation.stations.selectors import stations_nearest  # noqa: E402
from waystation.stations.services import registry_touch  # noqa: E402

GOAL_P99_MS = 20.0
SEED = 42


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


def fill(lon: np.ndarray, lat: np.ndarray, rng: np.random.Generator) -> None:
    Station.objects.all().delete()
    masks = [
        services_mask(["water", "rest", "legal_aid"]),
        services_mask(["water", "rest", "charging"]),
    ]
    all_day = rng.random(lon.size) < 0.1
    legal = rng.random(lon.size) < 0.1
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
                services_mask=masks[0] if legal[i] else masks[1],
            )
            for i in range(lon.size)
        ),
        batch_size=5000,
    )
    registry_touch()


def query_points(lon: np.ndarray, lat: np.ndarray, q: int, rng: np.random.Generator):
    pick = rng.integers(0, lon.size, q)
    # a rider 0–2 km from some station
    return (
        lon[pick] + rng.normal(0, 0.01, q),
        lat[pick] + rng.normal(0, 0.01, q),
    )


def timed(fn, points) -> list[float]:
    out = []
    for x, y in zip(*points, strict=True):
        t0 = time.perf_counter()
        fn(float(x), float(y))
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(name: str, ms: list[float]) -> dict:
    ms_sorted = sorted(ms)
    p50 = statistics.median(ms_sorted)
    p99 = ms_sorted[min(len(ms_sorted) - 1, int(0.99 * len(ms_sorted)))]
    qps = 1000.0 / statistics.fmean(ms_sorted)
    print(f"  {name:<34} {qps:>9,.0f} q/s   p50 {p50:7.3f} ms   p99 {p99:7.3f} ms")
    return {"qps": qps, "p50": p50, "p99": p99}


def postgis_setup(lon: np.ndarray, lat: np.ndarray):
    with connection.cursor() as cur:
        try:
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except Exception as exc:
            print(f"  PostGIS not available: {str(exc).splitlines()[0]}")
            return False
        cur.execute("DROP TABLE IF EXISTS bench_knn")
        cur.execute("CREATE TABLE bench_knn (id integer PRIMARY KEY, g geography(Point, 4326))")
        raw = cur.cursor  # psycopg 3 cursor for COPY
        with raw.copy("COPY bench_knn (id, g) FROM STDIN") as copy:
            for i, (x, y) in enumerate(zip(lon, lat, strict=True)):
                copy.write_row((i, f"SRID=4326;POINT({x:.9f} {y:.9f})"))
        cur.execute("CREATE INDEX bench_knn_g ON bench_knn USING gist (g)")
        cur.execute("ANALYZE bench_knn")
    return True


def postgis_query_fn():
    raw = connection.connection  # the psycopg connection: no Django in the anchor's loop
    cur = raw.cursor()
    sql = (
        "SELECT id, ST_Distance(g, q) FROM bench_knn, "
        "(SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography AS q) p "
        "ORDER BY g <-> q LIMIT 5"
    )

    def run(x: float, y: float):
        cur.execute(sql, (x, y), prepare=True)
        return cur.fetchall()

    return run


def rebuild(api, points) -> None:
    """A registry change, then API queries while the background thread builds the new index:
    they are answered from the previous one (the request path never builds)."""
    station_index.rebuild_wait()
    before = station_index.station_index()
    registry_touch()
    ms: list[float] = []
    t0 = time.perf_counter()
    i = 0
    while station_index.station_index() is before:
        x, y = points[0][i % len(points[0])], points[1][i % len(points[1])]
        q0 = time.perf_counter()
        api(float(x), float(y))
        ms.append((time.perf_counter() - q0) * 1000)
        i += 1
    station_index.rebuild_wait()
    print(
        f"  rebuild after a change: {station_index.last_build_seconds:.1f} s in the background "
        f"(new index served after {time.perf_counter() - t0:.1f} s)"
    )
    summary("ours: API during the rebuild", ms)


def bench(n: int, queries: int, anchor: bool) -> None:
    rng = np.random.default_rng(SEED + n)
    if n <= 1000:
        lon, lat = random_points_in("city", n, rng)
        where = "Changzhou"
    else:
        lon, lat = national_points(n, rng)
        where = "national"
    print(f"\n{n:,} stations ({where}), {queries:,} queries, limit=5")
    t0 = time.perf_counter()
    fill(lon, lat, rng)
    print(f"  fill table: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    station_index.station_index()  # inline in a cold process, else in the background
    station_index.rebuild_wait()
    print(f"  index build (load + cKDTree): {(time.perf_counter() - t0) * 1000:.0f} ms")
    points = query_points(lon, lat, queries, rng)
    warm = (points[0][:50], points[1][:50])
    client = Client()

    def service(x, y):
        return stations_nearest(lon=x, lat=y, limit=5)

    def service_legal(x, y):
        return stations_nearest(lon=x, lat=y, limit=5, service="legal_aid")

    def service_open(x, y):
        return stations_nearest(lon=x, lat=y, limit=5, open_now=True)

    def api(x, y):
        resp = client.get(f"/api/v1/stations/nearest?lon={x}&lat={y}&limit=5")
        assert resp.status_code == 200, resp.content
        return resp

    for fn in (service, service_legal, service_open, api):
        timed(fn, warm)
    ours = summary("ours: service", timed(service, points))
    summary("ours: service, service=legal_aid", timed(service_legal, points))
    summary("ours: service, open_now=true", timed(service_open, points))
    api_s = summary("ours: API (test client)", timed(api, points))
    verdict = "meets" if api_s["p99"] < GOAL_P99_MS else "MISSES"
    print(f"  goal API p99 < {GOAL_P99_MS:.0f} ms: {verdict}")
    rebuild(api, points)
    if not anchor:
        return
    if not postgis_setup(lon, lat):
        return
    pg = postgis_query_fn()
    timed(pg, warm)
    pg_s = summary("anchor: PostGIS geography <->", timed(pg, points))
    agree = sum(
        int(pg(float(x), float(y))[0][0]) == int(service(float(x), float(y))[0].code[1:])
        for x, y in zip(points[0][:200], points[1][:200], strict=True)
    )
    print(f"  nearest agrees with PostGIS on {agree}/200 queries")
    print(
        f"  ratio (ours/PostGIS, queries per second): service {ours['qps'] / pg_s['qps']:.1f}×, "
        f"API {api_s['qps'] / pg_s['qps']:.1f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="312,160000")
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    on_pg = connection.vendor == "postgresql"
    print(
        f"python {platform.python_version()} · {os.cpu_count()} cores · database {connection.vendor}"
    )
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        if on_pg:
            with connection.cursor() as cur:
                cur.execute("SELECT version()")
                print(cur.fetchone()[0].split(",")[0])
        else:
            print("SQLite: no PostGIS anchor (set DATABASE_URL to a PostgreSQL server)")
        for n in (int(s) for s in args.sizes.split(",")):
            bench(n, args.queries, anchor=on_pg)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

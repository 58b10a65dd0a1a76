"""Station list benchmark: `GET /api/v1/stations` served from the cached layer against the
uncached build of the same layer (issue 16).

Run:  DATABASE_URL=postgres://waystation@127.0.0.1:54329/waystation .venv/bin/python benchmarks/station_list.py
      .venv/bin/python benchmarks/station_list.py --requests 500          (SQLite)

A throwaway database (TEST_DB_NAME, default bench_station_list) is created and dropped here,
holding the 312 demo stations (stations/demo.py: the same seeded layout as `make run`).
Every request goes through Django's test client (URL routing, middleware, django-ninja; no
network), one after another in one thread:

- ours (cached): the layer's bytes from this process's cache; the request reads the registry
  stamp (one primary-key query) and nothing else from the database.
- ours (304): the same with `If-None-Match` set to the layer's ETag (what a map page that
  already has the layer sends).
- anchor (uncached): the cache emptied before each request, so each one builds the layer
  (from the nearest index when it is current, open/closed state, JSON): what every request
  cost before the cache. Run on a tree from before the cache, the script times that path
  itself ("before the cache").
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waystation.settings")
os.environ.setdefault("TEST_DB_NAME", "bench_station_list")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from waystation.stations import demo  # noqa: E402

try:
    from waystation.stations import layer
except ImportError:  # a tree from before the cache (issue 16): every request builds the layer
    layer = None

URL = "/api/v1/stations"


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(name: str, ms: list[float]) -> float:
    ms = sorted(ms)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    rps = 1000.0 / statistics.fmean(ms)
    print(f"  {name:<36} {rps:>9,.0f} req/s   p50 {p50:7.3f} ms   p99 {p99:7.3f} ms")
    return rps


def bench(requests: int) -> None:
    demo.load(io.StringIO())
    client = Client()
    first = client.get(URL)
    assert first.status_code == 200, first.content
    features = len(first.json()["features"])
    print(
        f"\n{features} public stations, layer {len(first.content) / 1000:.0f} kB, {requests:,} requests each"
    )

    def cached():
        assert client.get(URL).status_code == 200

    def cached_open_now():
        assert client.get(URL + "?open_now=true").status_code == 200

    def not_modified():
        assert client.get(URL, headers={"if-none-match": first["ETag"]}).status_code == 304

    def uncached():
        layer.cache_clear()
        assert client.get(URL).status_code == 200

    if layer is None:
        timed(cached, 20)
        summary("before the cache: every request", timed(cached, max(50, requests // 10)))
        return
    for fn in (cached, cached_open_now, not_modified, uncached):
        timed(fn, 20)  # warm up
    ours = summary("ours: cached", timed(cached, requests))
    summary("ours: cached, open_now=true", timed(cached_open_now, requests))
    summary("ours: If-None-Match → 304", timed(not_modified, requests))
    anchor = summary("anchor: uncached build", timed(uncached, max(50, requests // 10)))
    print(f"  ratio (cached / uncached, requests per second): {ours / anchor:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()} · {os.cpu_count()} cores · database {connection.vendor}"
    )
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        bench(args.requests)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

"""The page a join QR opens against the station page, under gunicorn, side by side.

Run:  DATABASE_URL=postgres://waystation@127.0.0.1:54331/waystation \\
          .venv/bin/python benchmarks/join_page.py [--workers 4] [--connections 32] [--seconds 10]

Needs gunicorn (`.venv/bin/pip install gunicorn`) and preferably wrk (`apt-get install wrk`);
without wrk a Python client with keep-alive threads loads the pages (it competes with the
server for the same cores, so its figures are lower; compare ratios, not rates).

A throwaway database (BENCH_DB_NAME, default bench_join_page) is created, migrated and filled
with the demo campaigns and stations (no members: neither page reads them), then dropped.
gunicorn serves `waystation.wsgi:application` with sync workers, DEBUG off, as in production
but over plain HTTP. Rounds alternate the two pages (station, join, station, join …) so that
both see the same machine; each round is `wrk -t2 -c<connections> -d<seconds>s --latency`
after a warm-up. The anchor is the station page (`GET /stations/<code>/`, one station with its
opening hours): the goal is a join page (`GET /join/<code>/`) as cheap as it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def bench_database_url(name: str) -> tuple[str, str | None]:
    """(the URL the benchmark uses, the server URL to create/drop it from; None for SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlparse(url)
        return urlunparse(parts._replace(path="/" + name)), url
    path = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}", None


def pg_execute(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql)


def prepare(db_url: str) -> tuple[str, str]:
    """Migrate and fill the database; return (join path, station path)."""
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waystation.settings")
    import io

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from waystation.members import demo as members_demo
    from waystation.members.models import Campaign
    from waystation.stations import demo as stations_demo
    from waystation.stations.models import Station

    members_demo.load(io.StringIO(), members=0)
    stations_demo.load(io.StringIO())
    campaign = Campaign.objects.filter(active=True).order_by("code").first()
    station = Station.objects.filter(status="open").order_by("code").first()
    assert campaign is not None and station is not None
    from django.db import connections

    connections.close_all()
    return f"/join/{campaign.code}/", f"/stations/{station.code}/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(db_url: str, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        sys.exit("gunicorn is not installed: .venv/bin/pip install gunicorn")
    env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "0", "SMS_BACKEND": "console"}
    env["LOG_LEVEL"] = "WARNING"
    env["PYTHONWARNINGS"] = "ignore::UserWarning"  # no collected static files: not served here
    cmd = [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    cmd += ["--log-level", "warning", "waystation.wsgi:application"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"gunicorn exited with {proc.returncode}")
            time.sleep(0.2)
    stop(proc)
    sys.exit("gunicorn did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def server_cpu_seconds(proc: subprocess.Popen) -> float:
    """User + system CPU time of gunicorn's master and workers so far (Linux /proc). Unlike
    req/s this hardly depends on what else runs on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [proc.pid]
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    assert m, text
    return float(m.group(1)) * _UNIT[m.group(2)]


def load_wrk(url: str, connections: int, seconds: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} responses were not 2xx/3xx")
    return {"rps": rps, "p50": p50, "p99": p99, "n": total}


def load_python(url: str, connections: int, seconds: int) -> dict:
    parts = urlparse(url)
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        conn = HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            conn.request("GET", parts.path)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise SystemExit(f"{url}: HTTP {resp.status}")
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    latencies.sort()
    return {
        "n": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--seconds", type=int, default=10, help="per round and page")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = ap.parse_args()

    name = os.environ.get("BENCH_DB_NAME", "bench_join_page")
    db_url, server_url = bench_database_url(name)
    if server_url:
        pg_execute(server_url, f'DROP DATABASE IF EXISTS "{name}"')
        pg_execute(server_url, f'CREATE DATABASE "{name}"')
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    load = load_wrk if client == "wrk" else load_python
    proc = None
    try:
        join_path, station_path = prepare(db_url)
        port = free_port()
        proc = start_gunicorn(db_url, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        pages = {"station": base + station_path, "join": base + join_path}
        for url in pages.values():  # warm-up: imports, template and connection caches
            load(url, args.connections, 2)
        runs: dict[str, list[dict]] = {"station": [], "join": []}
        for _ in range(args.rounds):
            for page, url in pages.items():
                cpu0 = server_cpu_seconds(proc)
                r = load(url, args.connections, args.seconds)
                r["cpu_ms"] = (server_cpu_seconds(proc) - cpu0) * 1000 / r["n"]
                runs[page].append(r)
    finally:
        if proc is not None:
            stop(proc)
        if server_url:
            pg_execute(server_url, f'DROP DATABASE IF EXISTS "{name}"')

    load1 = os.getloadavg()[0]
    print(
        f"# join page vs station page, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; "
        f"{os.cpu_count()} cores, load average {load1:.1f} (after the run); "
        f"Python {platform.python_version()}; gunicorn {args.workers} sync workers; "
        f"{client}, {args.connections} connections, {args.rounds} × {args.seconds} s per page; "
        f"database {'PostgreSQL' if server_url else 'SQLite'}"
    )
    print(f"# station: {station_path}   join: {join_path}")
    print("| page | req/s | p50 ms | p99 ms | server CPU ms/req | rounds req/s |")
    print("|---|---|---|---|---|---|")
    med: dict[str, dict[str, float]] = {}
    for page, rs in runs.items():
        keys = ("rps", "p50", "p99", "cpu_ms")
        med[page] = {k: statistics.median(r[k] for r in rs) for k in keys}
        rounds = " / ".join(f"{r['rps']:,.0f}" for r in rs)
        m = med[page]
        print(
            f"| {page} | {m['rps']:,.0f} | {m['p50']:.1f} | {m['p99']:.1f} | "
            f"{m['cpu_ms']:.2f} | {rounds} |"
        )
    ratio = med["join"]["rps"] / med["station"]["rps"]
    cpu = med["join"]["cpu_ms"] / med["station"]["cpu_ms"]
    print("(medians of the rounds)")
    print(f"join / station throughput: {ratio:.2f}×  (goal ≥ 1.0: as cheap as the station page)")
    print(f"join / station server CPU per request: {cpu:.2f}×  (goal ≤ 1.0)")


if __name__ == "__main__":
    main()

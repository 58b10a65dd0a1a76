"""A real `run_jobs` worker process outlives a real restart of its PostgreSQL cluster.

The cluster is the test's own (scripts/postgres.sh in a temporary directory, another port), so the
test database of the run is never touched. The test follows the worker's log instead of sleeping.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[3]

# The worker of `manage.py run_jobs`, with two job kinds of this test registered first.
WORKER = """
import time
from waystation.jobs import runner

@runner.handler("test.long")
def long(job, progress):
    # the first attempt keeps recording progress until the database goes away under it
    deadline = time.monotonic() + 60
    while job.attempts == 1 and time.monotonic() < deadline:
        progress(1, 2)
        time.sleep(0.05)
    progress(2, 2)
    return {"attempt": job.attempts}

@runner.handler("test.quick")
def quick(job, progress):
    return {"attempt": job.attempts}

runner.work_forever(poll_seconds=0.1)
"""


def _enqueue(url: str, kind: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        city = conn.execute(  # a job is for a city; the cluster's database has none yet
            "INSERT INTO accounts_city (adcode, name, union_name, sms_signature, created_at)"
            " VALUES ('999900', '测试市', '测试市总工会', '测试', now())"
            " ON CONFLICT (adcode) DO UPDATE SET name = excluded.name RETURNING id"
        ).fetchone()
        row = conn.execute(
            "INSERT INTO jobs_job (city_id, kind, params, status, done, total, message, result,"
            " error, attempts, created_at)"
            " VALUES (%s, %s, '{}', 'queued', 0, 0, '', '{}', '', 0, now()) RETURNING id",
            [city[0], kind],
        ).fetchone()
    return row[0]


def _job(url: str, pk: int) -> tuple:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT status, attempts, result::text FROM jobs_job WHERE id = %s", [pk]
        ).fetchone()


@pytest.fixture
def worker(own_cluster, follow):
    url = own_cluster.script("start")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=url, PYTHONUNBUFFERED="1")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "jobs", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    proc = subprocess.Popen(
        [*manage, "shell", "-c", WORKER], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    yield url, proc, follow(proc.stdout)
    proc.terminate()
    proc.wait(timeout=30)


def test_worker_rides_out_a_postgresql_restart_and_finishes_the_next_job(worker, own_cluster):
    url, proc, log = worker
    first = _enqueue(url, "test.long")
    log.wait_for(f"job {first} (test.long) started, attempt 1")

    own_cluster.script("stop")  # a fast shutdown: the worker's connection is cut mid-job
    log.wait_for("database unavailable (OperationalError: ")
    assert own_cluster.script("start") == url
    log.wait_for("database reachable again; job worker resumes")
    log.wait_for(f"job {first} queued again after the database came back")
    log.wait_for(f"job {first} (test.long) started, attempt 2")
    log.wait_for(f"job {first} done")

    second = _enqueue(url, "test.quick")
    log.wait_for(f"job {second} done")
    assert proc.poll() is None  # still running
    status, attempts, result = _job(url, first)
    assert (status, attempts, json.loads(result)) == ("done", 2, {"attempt": 2})
    status, attempts, result = _job(url, second)
    assert (status, attempts, json.loads(result)) == ("done", 1, {"attempt": 1})

from datetime import timedelta

import pytest
from django.utils import timezone

from waystation.jobs import runner
from waystation.jobs.models import Job

CALLS: list[int] = []


@runner.handler("test.count")
def _count(job, progress):
    """Counts to params.n, one step at a time, resuming from what is already done."""
    n = job.params["n"]
    start = job.done
    for i in range(start, n):
        if job.params.get("crash_at") == i and job.attempts == 1:
            raise RuntimeError("worker died")
        CALLS.append(i)
        progress(i + 1, n, f"第 {i + 1} / {n} 步")
    return {"counted": n}


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


def test_job_runs_in_background_worker_with_progress(city):
    job = runner.job_enqueue(kind="test.count", params={"n": 3}, city=city)
    assert job.status == "queued" and job.percent == 0
    assert runner.run_next().pk == job.pk
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert job.result == {"counted": 3}
    assert runner.run_next() is None


def test_failed_job_keeps_its_progress_and_resumes_on_retry(city):
    job = runner.job_enqueue(kind="test.count", params={"n": 5, "crash_at": 2}, city=city)
    runner.run_next()
    job.refresh_from_db()
    assert job.status == "failed" and job.done == 2 and "worker died" in job.error
    runner.job_retry(job)
    runner.run_next()
    job.refresh_from_db()
    assert job.status == "done"
    assert CALLS == [0, 1, 2, 3, 4]  # each step ran once


def test_job_with_stale_heartbeat_is_claimed_again(city):
    job = runner.job_enqueue(kind="test.count", params={"n": 2}, city=city)
    Job.objects.filter(pk=job.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(minutes=5), attempts=1, done=1
    )
    runner.run_next()
    job.refresh_from_db()
    assert job.status == "done" and CALLS == [1]


def test_running_job_with_fresh_heartbeat_is_left_alone(city):
    job = runner.job_enqueue(kind="test.count", params={"n": 2}, city=city)
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert runner.run_next() is None


def test_unknown_job_kind_is_refused(db):
    with pytest.raises(ValueError):
        runner.job_enqueue(kind="nope", params={})


def test_job_status_is_for_its_owner_colleagues_and_the_admin(people, as_user):
    job = runner.job_enqueue(kind="test.count", params={"n": 1}, user=people.alice)
    url = f"/jobs/{job.pk}/"
    r = as_user(people.alice).get(url, HTTP_ACCEPT="application/json")
    assert r.json()["status"] == "queued"
    assert as_user(people.bob).get(url).status_code == 200  # same 天宁 unit
    assert as_user(people.charlie).get(url).status_code == 404  # 钟楼
    assert as_user(people.olga).get(url).status_code == 404
    assert as_user(people.admin).get(url).status_code == 200


def test_a_job_of_an_unknown_kind_fails_instead_of_crashing_the_worker(city):
    Job.objects.create(kind="gone.away", params={}, city=city)
    job = runner.run_next()
    assert job.status == "failed" and "gone.away" in job.error


def test_a_fresh_worker_process_knows_every_job_kind():
    """`manage.py run_jobs` never imports the URL config: handlers register at app loading."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    code = "from waystation.jobs.runner import HANDLERS; print(' '.join(sorted(HANDLERS)))"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=root, env=env, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert {"members.roster_import", "aid.gift", "planner.analysis"} <= set(out)
    assert any(kind.startswith("stations.") for kind in out)

"""The job worker rides out a lost database, and a job that keeps killing its worker ends failed.

The database "goes away" through Django's execute_wrapper: while `OUTAGE.down`, every query
raises the OperationalError a dropped connection raises. The worker's steps are driven one by one
(its loop only sleeps for what `step()` returns), so nothing here waits.
"""

import logging
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from waystation.jobs import runner
from waystation.jobs.models import Job


class Outage:
    down = False

    def __call__(self, execute, sql, params, many, context):
        if self.down:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


OUTAGE = Outage()


@runner.handler("test.outage")
def _outage(job, progress):
    """Step 1, then (on one attempt, the first by default) the database goes away before step 2
    is recorded."""
    if job.done < 1:
        progress(1, 2)
    if job.attempts == job.params.get("outage_on", 1):
        OUTAGE.down = True
        try:
            progress(2, 2)
        except OperationalError as exc:
            if job.params.get("wrap"):  # a handler that turns the error into its own
                raise RuntimeError("导入中断") from exc
            raise
    progress(2, 2)
    return {"steps": 2}


@runner.handler("test.quick")
def _quick(job, progress):
    return {"ok": True}


@pytest.fixture
def outage(transactional_db):  # the worker closes its connection: no test transaction around it
    OUTAGE.down = False
    with connection.execute_wrapper(OUTAGE):
        yield OUTAGE
    OUTAGE.down = False


@pytest.mark.parametrize("wrap", [False, True], ids=["mid-job", "in-the-failure-handler"])
def test_worker_rides_out_a_lost_database_and_finishes_the_next_job(outage, city, wrap, caplog):
    first = runner.job_enqueue(kind="test.outage", params={"wrap": wrap}, city=city)
    second = runner.job_enqueue(kind="test.quick", params={}, city=city)
    worker = runner.Worker(poll_seconds=5.0)

    with caplog.at_level(logging.WARNING, logger="waystation.jobs.runner"):
        assert worker.step() == 1.0  # the database went away during the first job
        assert worker.step() == 2.0  # still away: the wait doubles
        outage.down = False
        assert worker.step() == 0.0  # back: the first job is queued again and finishes
        assert worker.step() == 0.0  # the next job
        assert worker.step() == 5.0  # nothing left: poll

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "database unavailable (OperationalError: server closed the connection unexpectedly); "
        "job worker reconnects in 1 s",
        "database unavailable (OperationalError: server closed the connection unexpectedly); "
        "job worker reconnects in 2 s",
        "database reachable again; job worker resumes",
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, first.done, first.error) == ("done", 2, 2, "")
    assert (first.result, first.message) == ({"steps": 2}, "已完成")
    assert (second.status, second.result) == ("done", {"ok": True})


def test_waits_between_reconnects_double_up_to_thirty_seconds(outage):
    outage.down = True
    worker = runner.Worker()
    assert [worker.step() for _ in range(7)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    outage.down = False
    assert worker.step() == 1.0  # reachable, nothing queued: back to polling


def test_a_job_cut_off_by_the_database_on_its_last_attempt_ends_failed(outage, city):
    job = runner.job_enqueue(
        kind="test.outage", params={"outage_on": runner.MAX_ATTEMPTS}, city=city
    )
    Job.objects.filter(pk=job.pk).update(attempts=runner.MAX_ATTEMPTS - 1)
    worker = runner.Worker(poll_seconds=5.0)
    assert worker.step() == 1.0  # attempt 5, cut off
    outage.down = False
    assert worker.step() == 5.0  # the job is given up; nothing else is queued
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done) == ("failed", 5, 1)
    assert job.message == "失败：已尝试 5 次仍未完成，最后一次数据库连接中断，不再自动重试"
    assert job.error == "not finished after 5 attempts: lost the database"


def _lose_worker(job: Job) -> None:
    """The worker running `job` was killed: its heartbeat goes stale."""
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))


def test_a_job_that_keeps_killing_its_worker_ends_failed_after_the_limit(city):
    job = runner.job_enqueue(kind="test.quick", params={}, city=city)
    for attempt in range(1, runner.MAX_ATTEMPTS + 1):
        assert runner._claim().pk == job.pk  # claimed again after each lost worker …
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("running", attempt)
        _lose_worker(job)
    assert runner._claim() is None  # … until the limit: then never again
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 5)
    assert job.message == (
        "失败：已尝试 5 次仍未完成，最后一次处理它的后台进程中断（60 秒无进度），不再自动重试"
    )
    assert job.error == (
        "not finished after 5 attempts: the worker running the last one stopped "
        "(no heartbeat for 60 s); not claimed again"
    )
    assert job.finished_at is not None


def test_a_lost_job_below_the_limit_is_still_claimed_again(city):
    job = runner.job_enqueue(kind="test.quick", params={}, city=city)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=runner.MAX_ATTEMPTS - 1)
    _lose_worker(job)
    assert runner.run_next().pk == job.pk
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 5)

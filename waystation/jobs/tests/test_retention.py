"""Finished jobs go JOBS_RETENTION_DAYS after they finished; the worker makes the coming months'
partitions at its first step and again a day later."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from waystation.core.partitions import add_months, month_of, partition_name
from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.members.models import RosterImport


def _job(city, status, finished_days_ago, **extra):
    now = timezone.now()
    finished = now - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    return Job.objects.create(
        city=city, kind="test.count", status=status, finished_at=finished,
        created_at=now - timedelta(days=400), **extra,
    )  # fmt: skip


def test_prune_deletes_finished_jobs_past_their_retention_only(city, settings):
    settings.JOBS_RETENTION_DAYS = 180
    old_done = _job(city, Job.Status.DONE, 181)
    old_failed = _job(city, Job.Status.FAILED, 200)
    recent = _job(city, Job.Status.DONE, 179)
    running = _job(city, Job.Status.RUNNING, None)
    queued = _job(city, Job.Status.QUEUED, None)
    assert runner.jobs_prune(dry_run=True) == 2
    assert Job.objects.count() == 5
    out = StringIO()
    call_command("partitions", "--prune", stdout=out)
    assert "deleted 2 finished jobs" in out.getvalue()
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, running.pk, queued.pk}
    assert not Job.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()


def test_an_import_keeps_its_row_when_its_job_goes(city, people, orgs):
    job = _job(city, Job.Status.DONE, 365)
    rosterimport = RosterImport.objects.create(
        created_by=people.alice, unit=orgs["tianning"], city=city, filename="a.xlsx",
        file_sha256="0" * 64, stored_name="a", job=job,
    )  # fmt: skip
    assert runner.jobs_prune() == 1
    rosterimport.refresh_from_db()
    assert rosterimport.job_id is None


def _next_month() -> str:
    return partition_name("stations_visit", add_months(month_of(timezone.now()), 1))


def _exists(table: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        return cur.fetchone()[0]


def _drop(table: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {table}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the worker manages its connection: no test transaction
def test_the_worker_ensures_partitions_at_start_and_once_a_day():
    worker = runner.Worker()
    _drop(_next_month())
    worker.step()
    assert _exists(_next_month())
    _drop(_next_month())
    worker.step()  # the same day: not again
    assert not _exists(_next_month())
    assert worker.ensured_at is not None
    worker.ensured_at -= timedelta(days=1)
    worker.step()
    assert _exists(_next_month())

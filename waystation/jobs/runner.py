"""Background jobs: enqueue, claim, run with progress, recover after a crash.

A handler is registered with `@handler("kind")` and called as `fn(job, progress)`, where
`progress(done, total=None, message="")` records progress (and a heartbeat) in the job row.
Workers (`manage.py run_jobs`) claim queued jobs, and jobs whose heartbeat went stale (the worker
died) are claimed again: handlers must be idempotent and resume from what they wrote.

Every claim counts as an attempt. A job still unfinished after MAX_ATTEMPTS claims (its worker was
killed each time, e.g. by running out of memory) ends as failed with that reason instead of being
claimed for ever. The worker rides out a database restart: see `Worker`. It also makes the
monthly partitions of the coming months (core/partitions.py) at start and once a day, so they
exist before rows need them even where no cron runs `manage.py partitions`.

Finished jobs are kept JOBS_RETENTION_DAYS after they finished (`jobs_prune`).
"""

import contextlib
import logging
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.models import City
from waystation.core.net import client_ip_as
from waystation.core.partitions import partitions_ensure

from .models import Job, starter_city_id

log = logging.getLogger(__name__)

Progress = Callable[..., None]
HANDLERS: dict[str, Callable[[Job, Progress], Any]] = {}
STALE_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 5
# The DB-API's errors for "the database is not there": a restart, a dropped connection. Also
# deadlocks and serialization failures (OperationalError too), which are as transient.
DATABASE_LOST = (OperationalError, InterfaceError)
BACKOFF_MAX_SECONDS = 30.0
ENSURE_EVERY = timedelta(days=1)


def handler(kind: str) -> Callable:
    def register(fn: Callable[[Job, Progress], Any]) -> Callable[[Job, Progress], Any]:
        HANDLERS[kind] = fn
        return fn

    return register


def job_enqueue(
    *,
    kind: str,
    params: dict,
    user: User | None = None,
    city: City | int | None = None,
    total: int = 0,
) -> Job:
    """Queue a job of a known kind for a city: `city` (the city of what the job works on), or
    else the one city its starter works in; a job for no city is refused (ValueError)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    starter = user if getattr(user, "is_authenticated", False) else None
    city_id = city.pk if isinstance(city, City) else city
    if city_id is None and starter is not None:
        city_id = starter_city_id(starter)
    if city_id is None:
        raise ValueError(f"a {kind!r} job names the city it works for")
    job = Job.objects.create(
        city_id=city_id,
        kind=kind,
        params=params,
        total=total,
        created_by=starter,
        message="排队中，等待后台处理",
    )
    if settings.JOBS_EAGER:
        transaction.on_commit(lambda: job_run(Job.objects.get(pk=job.pk)))
    return job


def _fail(job: Job, *, error: str, message: str) -> None:
    job.status = Job.Status.FAILED
    job.error = error[:2000]
    job.message = message[:300]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "message", "finished_at"])


def _skip_locked(qs: QuerySet[Job]) -> QuerySet[Job]:
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True)
    return qs


def _give_up_on_lost_jobs(stale: datetime) -> None:
    """Jobs whose worker went away on their last allowed attempt end failed, with that reason."""
    lost = Job.objects.filter(
        status=Job.Status.RUNNING, heartbeat_at__lt=stale, attempts__gte=MAX_ATTEMPTS
    )
    for job in _skip_locked(lost):
        log.warning("job %s failed: its worker was lost on attempt %d", job.pk, job.attempts)
        _fail(
            job,
            error=(
                f"not finished after {job.attempts} attempts: the worker running the last one "
                f"stopped (no heartbeat for {STALE_AFTER.seconds} s); not claimed again"
            ),
            message=_(
                "失败：已尝试 %(n)d 次仍未完成，最后一次处理它的后台进程中断"
                "（%(s)d 秒无进度），不再自动重试"
            )
            % {"n": job.attempts, "s": STALE_AFTER.seconds},
        )


def _claim() -> Job | None:
    stale = timezone.now() - STALE_AFTER
    with transaction.atomic():
        _give_up_on_lost_jobs(stale)
        qs = Job.objects.filter(status=Job.Status.QUEUED) | Job.objects.filter(
            status=Job.Status.RUNNING, heartbeat_at__lt=stale, attempts__lt=MAX_ATTEMPTS
        )
        job = _skip_locked(qs.order_by("created_at", "id")).first()
        if job is None:
            return None
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
    return job


def job_run(job: Job) -> Job:
    """Run one claimed job to the end, recording progress, result or error."""
    fn = HANDLERS.get(job.kind)
    if fn is None:  # a job queued by a newer release, or an app that is not installed
        _fail(job, error=f"unknown job kind {job.kind!r}", message="失败：此服务器不认识这种任务")
        return job

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        job.done = done
        fields = ["done", "heartbeat_at"]
        if total is not None:
            job.total = total
            fields.append("total")
        if message:
            job.message = message[:300]
            fields.append("message")
        job.heartbeat_at = timezone.now()
        Job.objects.filter(pk=job.pk).update(**{f: getattr(job, f) for f in fields})

    if job.status != Job.Status.RUNNING:
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    log.info("job %s (%s) started, attempt %d", job.pk, job.kind, job.attempts)
    waiting_message = job.message  # "queued", "queued again …": replaced once the job is done
    try:
        with client_ip_as(None):  # not the client's work, even when run at a request's end
            result = fn(job, progress)
    except DATABASE_LOST:
        raise  # not the job's fault: the worker puts it back once the database answers again
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        # If the database went away too, this raises and the worker treats it as an outage.
        _fail(job, error=f"{exc}", message="失败：" + str(exc)[:280])
        log.debug(traceback.format_exc())
        return job
    job.status = Job.Status.DONE
    job.result = result if isinstance(result, dict) else {}
    job.finished_at = timezone.now()
    job.done = max(job.done, job.total)
    if not job.message or job.message == waiting_message:
        job.message = "已完成"
    job.save(update_fields=["status", "result", "finished_at", "done", "message"])
    log.info("job %s done", job.pk)
    return job


def job_retry(job: Job) -> Job:
    """Queue a failed job again; its handler resumes from what it already wrote."""
    if job.status == Job.Status.FAILED and job.attempts < MAX_ATTEMPTS:
        job.status = Job.Status.QUEUED
        job.error = ""
        job.message = "重新排队，将从中断处继续"
        job.save(update_fields=["status", "error", "message"])
    return job


def run_next() -> Job | None:
    job = _claim()
    return job_run(job) if job else None


def run_until_empty() -> int:
    n = 0
    while run_next() is not None:
        n += 1
    return n


def jobs_prune(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete the jobs that finished (done or failed) more than JOBS_RETENTION_DAYS ago; an
    import or a gift that named one keeps its row, without the job. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.JOBS_RETENTION_DAYS)
    old = Job.objects.filter(status__in=[Job.Status.DONE, Job.Status.FAILED]).filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    if dry_run:
        return old.count()
    return old.delete()[1].get(Job._meta.label, 0)


def _requeue_interrupted(job: Job) -> None:
    """Put back a job whose run was cut off by a lost database, unless another worker has taken
    it over meanwhile (then its attempts moved on). The cut-off run counts as an attempt."""
    with transaction.atomic():
        current = (
            Job.objects.select_for_update()
            .filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)
            .first()
        )
        if current is None:
            return
        if current.attempts >= MAX_ATTEMPTS:
            _fail(
                current,
                error=f"not finished after {current.attempts} attempts: lost the database",
                message=_("失败：已尝试 %(n)d 次仍未完成，最后一次数据库连接中断，不再自动重试")
                % {"n": current.attempts},
            )
            return
        current.status = Job.Status.QUEUED
        current.message = _("数据库连接中断，已重新排队，将从中断处继续")
        current.save(update_fields=["status", "message"])
    log.info("job %s queued again after the database came back", job.pk)


class Worker:
    """The loop of `manage.py run_jobs`, one `step()` at a time.

    When the database goes away (a restart, a dropped connection), mid-job or while polling, the
    step closes the broken connection and asks to wait 1, 2, 4 … up to BACKOFF_MAX_SECONDS before
    the next, logging each try; the next step connects afresh. Once the database answers again the
    interrupted job is queued again (handlers resume from what they wrote) and work goes on.
    """

    def __init__(self, poll_seconds: float = 1.0) -> None:
        self.poll_seconds = poll_seconds
        self.backoff = 0.0
        self.interrupted: Job | None = None
        self.ensured_at: datetime | None = None  # partitions last ensured

    def _ensure_partitions(self) -> None:
        """At the first step and once a day: cheap and idempotent. A failure other than a lost
        database is logged and tried again the next day; it must not stop the jobs."""
        now = timezone.now()
        if self.ensured_at is not None and now - self.ensured_at < ENSURE_EVERY:
            return
        try:
            for line in partitions_ensure(now=now):
                log.info("partitions: %s", line)
        except DATABASE_LOST:
            raise
        except Exception:
            log.exception("partitions: could not create the coming months' partitions")
        self.ensured_at = now

    def step(self) -> float:
        """Run the next job, if any; return the seconds to wait before the next step."""
        job = None
        try:
            connection.close_if_unusable_or_obsolete()  # as Django does between requests
            if self.backoff:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                log.warning("database reachable again; job worker resumes")
                self.backoff = 0.0
            if self.interrupted is not None:
                _requeue_interrupted(self.interrupted)
                self.interrupted = None
            self._ensure_partitions()
            job = _claim()
            if job is not None:
                job_run(job)
        except DATABASE_LOST as exc:
            if job is not None:
                self.interrupted = job
            return self._database_lost(exc)
        return 0.0 if job is not None else self.poll_seconds

    def _database_lost(self, exc: Exception) -> float:
        with contextlib.suppress(*DATABASE_LOST):
            connection.close()  # Django connects afresh on the next query
        self.backoff = min(max(2 * self.backoff, 1.0), BACKOFF_MAX_SECONDS)
        first_line = (str(exc).strip().splitlines() or [""])[0]
        log.warning(
            "database unavailable (%s: %s); job worker reconnects in %.0f s",
            type(exc).__name__,
            first_line[:200],
            self.backoff,
        )
        return self.backoff


def work_forever(poll_seconds: float = 1.0) -> None:  # pragma: no cover - the worker loop
    log.info("job worker started")
    worker = Worker(poll_seconds)
    while True:
        time.sleep(worker.step())

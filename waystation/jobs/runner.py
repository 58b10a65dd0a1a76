"""Background jobs: enqueue, claim, run with progress, recover after a crash.

A handler is registered with `@handler("kind")` and called as `fn(job, progress)`, where
`progress(done, total=None, message="")` records progress (and a heartbeat) in the job row.
Workers (`manage.py run_jobs`) claim queued jobs, and jobs whose heartbeat went stale (the worker
died) are claimed again: handlers must be idempotent and resume from what they wrote.
"""

import logging
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)

Progress = Callable[..., None]
HANDLERS: dict[str, Callable[[Job, Progress], Any]] = {}
STALE_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 5


def handler(kind: str) -> Callable:
    def register(fn: Callable[[Job, Progress], Any]) -> Callable[[Job, Progress], Any]:
        HANDLERS[kind] = fn
        return fn

    return register


def job_enqueue(*, kind: str, params: dict, user: Any = None, total: int = 0) -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(
        kind=kind,
        params=params,
        total=total,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        message="排队中，等待后台处理",
    )
    if settings.JOBS_EAGER:
        transaction.on_commit(lambda: job_run(Job.objects.get(pk=job.pk)))
    return job


def _claim() -> Job | None:
    stale = timezone.now() - STALE_AFTER
    with transaction.atomic():
        qs = Job.objects.filter(status=Job.Status.QUEUED) | Job.objects.filter(
            status=Job.Status.RUNNING, heartbeat_at__lt=stale
        )
        qs = qs.order_by("created_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        job = qs.first()
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
        job.status = Job.Status.FAILED
        job.error = f"unknown job kind {job.kind!r}"
        job.message = "失败：此服务器不认识这种任务"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "message", "finished_at"])
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
    try:
        result = fn(job, progress)
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        job.status = Job.Status.FAILED
        job.error = f"{exc}"[:2000]
        job.message = "失败：" + str(exc)[:280]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "message", "finished_at"])
        log.debug(traceback.format_exc())
        return job
    job.status = Job.Status.DONE
    job.result = result if isinstance(result, dict) else {}
    job.finished_at = timezone.now()
    job.done = max(job.done, job.total)
    if not job.message or job.message.startswith("排队"):
        job.message = "已完成"
    job.save(update_fields=["status", "result", "finished_at", "done", "message"])
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


def work_forever(poll_seconds: float = 1.0) -> None:  # pragma: no cover - the worker loop
    log.info("job worker started")
    while True:
        if run_next() is None:
            time.sleep(poll_seconds)

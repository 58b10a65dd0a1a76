from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from waystation.accounts.access import scope_of
from waystation.accounts.models import City


class Job(models.Model):
    """A piece of background work (an import, a bulk enrolment, an analysis) with its progress.

    Handlers are idempotent and resumable: a job whose worker died (no heartbeat) is picked up
    again and continues from what it already wrote.

    A job is work for one city (the tenant): the city of what it works on (the plan of a gift,
    the unit of an import), by default the city its starter works in. The worker runs every
    city's jobs; who sees a job's progress is decided by its city (jobs/access.py).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=50)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["city", "-created_at"], name="jobs_job_city_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None and self.created_by_id is not None:
            self.city_id = starter_city_id(self.created_by)
        super().save(*args, **kwargs)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "kind": self.kind,
            "status": self.status,
            "status_display": self.get_status_display(),
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "message": self.message,
            "result": self.result,
            "error": self.error,
        }


def starter_city_id(user: Any) -> int | None:
    """The one city a staff account works in (every role it holds is there), or None if it works
    in none or in several (a province's staff): then the caller names the job's city."""
    home = scope_of(user).home_cities
    return next(iter(home)) if len(home) == 1 else None

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from waystation.accounts.models import City
from waystation.jobs.models import starter_city_id


class Analysis(models.Model):
    """One run of the 15-minute-circle analysis for one city: its inputs, its job and its result.
    Its demand and its map are that city's districts."""

    class Kind(models.TextChoices):
        COVERAGE = "coverage", "覆盖分析"
        SELECTION = "selection", "新站选址"

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    params = models.JSONField(default=dict)
    # candidate or demand points uploaded by staff, WGS-84 [[id, lon, lat, weight], ...]
    uploaded = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "analyses"
        indexes = [
            models.Index(fields=["city", "-created_at"], name="planner_analysis_city_created")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None and self.created_by_id is not None:
            self.city_id = starter_city_id(self.created_by)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("planner:detail", args=[self.pk])

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Analysis(models.Model):
    """One run of the 15-minute-circle analysis: its inputs, its job and its result."""

    class Kind(models.TextChoices):
        COVERAGE = "coverage", "覆盖分析"
        SELECTION = "selection", "新站选址"

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

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("planner:detail", args=[self.pk])

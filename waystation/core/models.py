from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """Named counters for human-facing serial numbers (member numbers, claim numbers)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def counter_take(name: str, n: int = 1) -> range:
    """Reserve n consecutive numbers of a counter; safe under concurrency (row lock)."""
    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        row = Counter.objects.select_for_update().get(name=name)
        start = row.value + 1
        row.value += n
        row.save(update_fields=["value"])
    return range(start, start + n)


class IdempotencyKey(models.Model):
    """An API request's Idempotency-Key and the answer it got: a repeat gets the same answer
    (core/idempotency.py)."""

    key = models.CharField(max_length=100)
    actor = models.CharField(max_length=100)  # whose key: keys are per caller
    endpoint = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "key"], name="core_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.actor}:{self.key}"


class Notice(models.Model):
    """A notice from a city federation to its riders, on the home page: newest first, only the
    published ones (core/notices.py)."""

    city = models.ForeignKey("accounts.City", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("正文"), max_length=2000, blank=True)
    published = models.BooleanField(_("发布"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["city", "published", "published_at"])]

    def __str__(self) -> str:
        return self.title

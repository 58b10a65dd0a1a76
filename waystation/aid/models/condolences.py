"""Condolence visits (慰问) to members and their families."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from waystation.accounts.models import City, OrgUnit

from .. import benefits

if TYPE_CHECKING:
    pass

from .plans import Plan


class Condolence(models.Model):
    """A condolence visit (慰问): cash and goods to a member, with reason and approver."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")  # the member's
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="condolences"
    )
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT)
    visited_on = models.DateField()
    cash_fen = models.PositiveIntegerField(default=0)
    goods = models.CharField(max_length=200, blank=True)
    goods_value_fen = models.PositiveIntegerField(default=0)
    reason = models.TextField()
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["city", "-visited_on"], name="aid_condolence_city_visited")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.visited_on} {benefits.yuan(self.cash_fen)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None:
            self.city_id = self.member.city_id
        super().save(*args, **kwargs)

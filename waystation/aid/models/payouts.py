"""Payouts of approved claims, the bank batches they go out in, and what a city has paid."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone

from waystation.accounts.models import City

from .. import benefits

if TYPE_CHECKING:
    pass

from .claims import Claim


class PayoutBatch(models.Model):
    """A bank batch file (.xlsx). Its export is the only place full account numbers appear. One
    city's payouts (each city federation pays from its own account)."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=0)
    total_fen = models.PositiveBigIntegerField(default=0)
    # the column layout of the file (aid/bank_templates.py), chosen per batch by staff
    bank_template = models.CharField(max_length=20, default="generic")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["city", "-created_at"], name="aid_batch_city_created")]

    def __str__(self) -> str:
        return f"批次 {self.pk}（{self.count} 笔）"


class Payout(models.Model):
    """Money to a claimant. At most one live (not failed) payout per claim, by constraint."""

    class Status(models.TextChoices):
        PENDING = "pending", "待导出"
        EXPORTED = "exported", "已导出，待银行回单"
        PAID = "paid", "已支付"
        FAILED = "failed", "支付失败"

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")  # the claim's
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payouts")
    amount_fen = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    batch = models.ForeignKey(
        PayoutBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    bank_reference = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissued_as"
    )
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # the heart of "exactly once": a claim has one payout that is not failed, ever
            models.UniqueConstraint(
                fields=["claim"], condition=~Q(status="failed"), name="aid_one_live_payout"
            ),
            models.UniqueConstraint(
                fields=["bank_reference"],
                condition=~Q(bank_reference=""),
                name="aid_payout_bank_reference_unique",
            ),
            # a pending payout is in no batch, an exported one in exactly one (its FK): so a
            # payout can never go out in two bank files
            models.CheckConstraint(
                name="aid_payout_batch_matches_status",
                condition=Q(status="pending", batch__isnull=True)
                | Q(status="exported", batch__isnull=False)
                | Q(status__in=["paid", "failed"]),
            ),
        ]
        indexes = [models.Index(fields=["city", "status"], name="aid_payout_city_status")]

    def __str__(self) -> str:
        return f"{self.claim_id} {benefits.yuan(self.amount_fen)} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None:
            self.city_id = self.claim.city_id
        super().save(*args, **kwargs)


def total_paid_fen(city: City | int) -> int:
    """What a city has paid out in all."""
    paid = Payout.objects.filter(city=city, status=Payout.Status.PAID)
    return paid.aggregate(s=Sum("amount_fen"))["s"] or 0

"""Claims and their documents."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from waystation.accounts.models import City, Platform

from .. import benefits
from .. import workflow as flow

if TYPE_CHECKING:
    pass

from .plans import Enrolment


class Claim(models.Model):
    """A member's claim on an enrolment, from report to payout."""

    class Status(models.TextChoices):
        """The statuses of the claim's state machine (aid/workflow.py: steps, who, drawing)."""

        SUBMITTED = flow.Status.SUBMITTED.value, flow.LABELS[flow.Status.SUBMITTED]
        RETURNED = flow.Status.RETURNED.value, flow.LABELS[flow.Status.RETURNED]
        DISTRICT_APPROVED = (
            flow.Status.DISTRICT_APPROVED.value,
            flow.LABELS[flow.Status.DISTRICT_APPROVED],
        )
        OVERRIDE_PENDING = (
            flow.Status.OVERRIDE_PENDING.value,
            flow.LABELS[flow.Status.OVERRIDE_PENDING],
        )
        APPROVED = flow.Status.APPROVED.value, flow.LABELS[flow.Status.APPROVED]
        PAID = flow.Status.PAID.value, flow.LABELS[flow.Status.PAID]
        REJECTED = flow.Status.REJECTED.value, flow.LABELS[flow.Status.REJECTED]

    class Incident(models.TextChoices):
        ACCIDENT = "accident", "意外受伤"
        TRAFFIC = "traffic", "交通事故"
        ILLNESS = "illness", "重大疾病"
        DEATH = "death", "身故"

    class PlatformStatus(models.TextChoices):
        NOT_NEEDED = "not_needed", "无需平台确认"
        PENDING = "pending", "待平台确认"
        CONFIRMED = "confirmed", "平台确认在岗"
        DENIED = "denied", "平台确认不在岗"

    number = models.CharField(max_length=20, unique=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")  # the plan's
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="claims")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="claims")
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.PROTECT)
    incident_type = models.CharField(max_length=10, choices=Incident.choices)
    incident_date = models.DateField()
    incident_place = models.CharField(max_length=200)
    description = models.TextField()
    # what the claim asks per schedule item, e.g. {"medical": {"amount": 320000}}; the member
    # gives a first figure, the district reviewer sets the assessed one
    asks = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    status_note = models.TextField(blank=True)  # what is missing / why rejected
    platform_status = models.CharField(
        max_length=12, choices=PlatformStatus.choices, default=PlatformStatus.NOT_NEEDED
    )
    platform_note = models.TextField(blank=True)
    platform_confirmed_at = models.DateTimeField(null=True, blank=True)
    bank_name = models.CharField(max_length=50, blank=True)
    account_name = models.CharField(max_length=50, blank=True)
    bank_card_enc = models.TextField(blank=True)
    bank_card_masked = models.CharField(max_length=30, blank=True)
    # frozen at approval: the computed lines, the override, the amount to pay (fen)
    payable_lines = models.JSONField(default=list, blank=True)
    computed_fen = models.PositiveIntegerField(null=True, blank=True)
    override_fen = models.PositiveIntegerField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    approved_fen = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # the second city approver of an override above the threshold (never the first one)
    override_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "platform"]),
            models.Index(fields=["city", "status"], name="aid_claim_city_status"),
            models.Index(fields=["city", "-submitted_at"], name="aid_claim_city_submitted"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None:
            self.city_id = self.enrolment.city_id
        super().save(*args, **kwargs)

    @property
    def bank_card(self) -> str:
        from waystation.privacy import crypto

        return crypto.decrypt(self.bank_card_enc) if self.bank_card_enc else ""

    def paid_this_year(self) -> dict[str, int]:
        """What other approved claims on the same enrolment already took, per item (yearly caps)."""
        out: dict[str, int] = {}
        others = (
            Claim.objects.filter(
                enrolment_id=self.enrolment_id, status__in=[self.Status.APPROVED, self.Status.PAID]
            )
            .exclude(pk=self.pk)
            .values_list("payable_lines", flat=True)
        )
        for lines in others:
            for line in lines or []:
                out[line["code"]] = out.get(line["code"], 0) + int(line["amount"])
        return out

    def frozen_payable(self) -> benefits.Payable | None:
        """What approval froze (lines and computed total), or None before approval. A later edit
        of the plan's schedule never changes what an approved or paid claim was worth."""
        if self.status not in (self.Status.APPROVED, self.Status.PAID) or self.computed_fen is None:
            return None
        return benefits.Payable(
            self.computed_fen,
            [
                benefits.Line(x.get("code", ""), x.get("label", ""), int(x["amount"]), x["text"])
                for x in self.payable_lines or []
            ],
        )

    def payable_amount(self) -> benefits.Payable:
        """The amount due under the plan's schedule, one explanation line per benefit item;
        once approved, the frozen figures."""
        frozen = self.frozen_payable()
        if frozen is not None:
            return frozen
        enrolment = self.enrolment
        plan = enrolment.plan
        covered = enrolment.covers(self.incident_date)
        reason = ""
        if not covered:
            if self.incident_date < enrolment.covered_from:
                reason = (
                    f"事故日期 {self.incident_date:%Y-%m-%d} 早于保障开始日 "
                    f"{enrolment.covered_from:%Y-%m-%d}（含等待期 {plan.waiting_days} 天），"
                    "不予给付"
                )
            else:
                reason = (
                    f"事故日期 {self.incident_date:%Y-%m-%d} 晚于保障结束日 "
                    f"{enrolment.covered_to:%Y-%m-%d}，不予给付"
                )
        return benefits.compute(
            plan.schedule,
            self.asks or {},
            paid_this_year=self.paid_this_year() if covered else None,
            covered=covered,
            not_covered_reason=reason,
        )

    def override_ceiling(self) -> int:
        """The most the plan could ever pay on this claim: each item it asks for at its own cap
        (per incident, what is left of the yearly cap, the longest stay, the highest grade). An
        approver's override may not go above it."""
        return benefits.ceiling(
            self.enrolment.plan.schedule, self.asks or {}, paid_this_year=self.paid_this_year()
        )

    @property
    def amount_fen(self) -> int | None:
        """The approved amount, or None before approval."""
        return self.approved_fen

    def review_blockers(self, missing: list[str] | None = None) -> list[str]:
        """Why district review cannot pass the claim yet, in the words staff see (empty: it
        can). The service refuses with the first; the page shows them all beside the disabled
        button. `missing` saves a query when the caller already has missing_documents()."""
        out = []
        if self.platform_status == self.PlatformStatus.PENDING:
            out.append("平台尚未确认事故时是否在岗，请等待平台确认")
        elif self.platform_status == self.PlatformStatus.DENIED:
            out.append("平台确认事故时不在岗，请退回或不予通过")
        missing = self.missing_documents() if missing is None else missing
        if missing:
            out.append("缺少材料：" + "、".join(missing))
        return out

    def missing_documents(self) -> list[str]:
        have = set(self.documents.values_list("doc_type", flat=True))
        need = REQUIRED_DOCUMENTS.get(self.incident_type, [])
        labels = dict(ClaimDocument.DocType.choices)
        return [labels[d] for d in need if d not in have]


class ClaimDocument(models.Model):
    """An uploaded document, stored under a server-generated name in PRIVATE_MEDIA_ROOT."""

    class DocType(models.TextChoices):
        INVOICE = "invoice", "医疗费用发票"
        DIAGNOSIS = "diagnosis", "诊断证明"
        DISCHARGE = "discharge", "出院小结"
        POLICE = "police", "事故/交警证明"
        BANK_CARD = "bank_card", "银行卡照片"
        OTHER = "other", "其他材料"

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")  # the claim's
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(max_length=12, choices=DocType.choices)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.CharField(max_length=100, blank=True)  # member number or username

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.get_doc_type_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None:
            self.city_id = self.claim.city_id
        super().save(*args, **kwargs)


REQUIRED_DOCUMENTS: dict[str, list[str]] = {
    Claim.Incident.ACCIDENT: [ClaimDocument.DocType.INVOICE, ClaimDocument.DocType.DIAGNOSIS],
    Claim.Incident.TRAFFIC: [
        ClaimDocument.DocType.INVOICE,
        ClaimDocument.DocType.DIAGNOSIS,
        ClaimDocument.DocType.POLICE,
    ],
    Claim.Incident.ILLNESS: [ClaimDocument.DocType.DIAGNOSIS],
    Claim.Incident.DEATH: [ClaimDocument.DocType.DIAGNOSIS],
}

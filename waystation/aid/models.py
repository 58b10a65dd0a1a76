"""Mutual aid (互助保障): plans, enrolments (person-times), claims, payouts, condolence visits.

Every row belongs to a city (the tenant): a city federation sets its own plans, and what hangs
from a plan carries the plan's city (enrolments, their claims, the claims' documents and payouts,
the bank batches of those payouts); a condolence visit carries its member's city. `save()` fills a
missing city from the parent row, so `objects.create(...)` needs none; bulk paths set it.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.accounts.models import City, Industry, OrgUnit, Platform

from . import benefits
from . import workflow as flow

if TYPE_CHECKING:
    from waystation.members.models import Member


def member_city_id(member: "Member") -> int:
    """The city a member belongs to now."""
    return member.city_id


class Plan(models.Model):
    """One year of one mutual-aid plan: who may join, what it costs, what it pays."""

    class Kind(models.TextChoices):
        ACCIDENT = "accident", "意外伤害互助"
        ILLNESS = "illness", "重大疾病互助"
        SPECIAL = "special", "专项帮扶"

    class Funding(models.TextChoices):
        MEMBER = "member", "会员自费"
        GIFTED = "gifted", "工会赠送"

    # the city federation that sets the plan; a code is unique within its city
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(db_index=True)
    start_date = models.DateField()
    end_date = models.DateField()
    is_example = models.BooleanField(
        default=False, help_text="示例方案：保障金额为示例值，正式使用前须由工会确认"
    )
    # eligibility: Industry codes; empty = every industry
    industries = models.JSONField(default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(default=16)
    max_age = models.PositiveSmallIntegerField(default=65)
    member_statuses = models.JSONField(default=list, blank=True)  # empty = active members only
    waiting_days = models.PositiveSmallIntegerField(default=0)
    funding = models.CharField(max_length=10, choices=Funding.choices, default=Funding.GIFTED)
    contribution_fen = models.PositiveIntegerField(default=0)  # per person-time
    self_enrol = models.BooleanField(default=True)
    schedule = models.JSONField(default=list)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-year", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                name="aid_plan_dates", condition=Q(end_date__gte=models.F("start_date"))
            ),
            models.UniqueConstraint(
                fields=["city", "code"],
                name="aid_plan_code_per_city",
                violation_error_message=gettext_lazy("该城市已有此方案代码"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}" + ("（示例）" if self.is_example else "")

    def save(self, *args: Any, **kwargs: Any) -> None:
        benefits.validate_schedule(self.schedule)  # a schedule is never stored unchecked
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Every problem at once, each under its field, so a form can show it beside the field."""
        from waystation.members.models import Member

        errors: dict[str, list[str]] = {}
        try:
            benefits.validate_schedule(self.schedule)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = ["结束日期不能早于开始日期"]
        if self.start_date and self.year and self.start_date.year != self.year:
            errors["start_date"] = [f"开始日期须在 {self.year} 年内"]
        known = set(
            Industry.objects.filter(code__in=[str(i) for i in self.industries or []]).values_list(
                "code", flat=True
            )
        )
        bad = [i for i in self.industries or [] if i not in known]
        if bad:
            errors["industries"] = [_("未知行业：%s") % ", ".join(map(str, bad))]
        bad = [s for s in self.member_statuses or [] if s not in Member.Status.values]
        if bad:
            errors["member_statuses"] = [f"未知会员状态：{', '.join(map(str, bad))}"]
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            errors["max_age"] = ["最高年龄不能小于最低年龄"]
        if self.funding == self.Funding.MEMBER and not self.contribution_fen:
            errors["contribution_fen"] = ["会员自费的方案须填写每人缴费金额"]
        if errors:
            raise ValidationError(errors)

    def item(self, code: str) -> dict | None:
        return next((i for i in self.schedule if i.get("code") == code), None)

    def eligibility_error(self, member: "Member", on: date) -> str:
        """Why this member may not join the plan on that day, or "" if they may."""
        statuses = self.member_statuses or ["active"]
        if member_city_id(member) != self.city_id:
            return _("本方案仅面向%s的会员") % self.city.name
        if member.status not in statuses:
            return "会员状态不符合参保条件"
        if self.industries and member.industry_id not in self.industries:
            names = dict(
                Industry.objects.filter(code__in=self.industries).values_list("code", "name")
            )
            return _("本方案仅面向：%s") % "、".join(names.get(i, i) for i in self.industries)
        age = member.age_on(on)
        if not self.min_age <= age <= self.max_age:
            return f"参保年龄须在 {self.min_age}–{self.max_age} 周岁之间"
        if on > self.end_date:
            return "本年度方案已结束"
        return ""


class GiftBatch(models.Model):
    """A union's bulk gifted enrolment: members from a filter or an uploaded list, in a job."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")  # the plan's
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="gift_batches")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT)  # the union that pays
    source = models.CharField(max_length=10, choices=[("filter", "按条件"), ("list", "按名单")])
    params = models.JSONField(default=dict, blank=True)  # the filter, or the member numbers
    enrol_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL)
    total = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)  # already enrolled or not eligible

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.unit} · {self.created_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None:
            self.city_id = self.plan.city_id
        super().save(*args, **kwargs)


class Enrolment(models.Model):
    """One person in one plan year: a person-time (人次)."""

    class Source(models.TextChoices):
        SELF = "self", "本人参保"
        GIFT = "gift", "工会赠送"
        DEMO = "demo", "演示数据"

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")  # the plan's
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="enrolments")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="aid_enrolments"
    )
    enrolled_on = models.DateField()
    covered_from = models.DateField()  # after the waiting period
    covered_to = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices)
    gifted_by = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT)
    batch = models.ForeignKey(GiftBatch, null=True, blank=True, on_delete=models.SET_NULL)
    contribution_fen = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "plan"], name="aid_enrolment_once_per_plan")
        ]
        indexes = [
            models.Index(fields=["plan", "source"]),
            models.Index(fields=["city", "plan"], name="aid_enrolment_city_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.plan}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None:
            self.city_id = self.plan.city_id
        super().save(*args, **kwargs)

    @staticmethod
    def window(plan: Plan, enrolled_on: date) -> tuple[date, date]:
        start = max(plan.start_date, enrolled_on) + timedelta(days=plan.waiting_days)
        return start, plan.end_date

    def covers(self, day: date) -> bool:
        return self.covered_from <= day <= self.covered_to


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


class PayoutBatch(models.Model):
    """A bank batch file (.xlsx). Its export is the only place full account numbers appear. One
    city's payouts (each city federation pays from its own account)."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=0)
    total_fen = models.PositiveBigIntegerField(default=0)

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
            self.city_id = member_city_id(self.member)
        super().save(*args, **kwargs)


def total_paid_fen(city: City | int) -> int:
    """What a city has paid out in all."""
    paid = Payout.objects.filter(city=city, status=Payout.Status.PAID)
    return paid.aggregate(s=Sum("amount_fen"))["s"] or 0

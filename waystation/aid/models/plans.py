"""Mutual-aid plans, the union's gift batches and enrolments (person-times)."""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.accounts.models import City, Industry, OrgUnit

from .. import benefits

if TYPE_CHECKING:
    from waystation.members.models import Member


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
        if member.city_id != self.city_id:
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
        if max(self.start_date, on) + timedelta(days=self.waiting_days) > self.end_date:
            # joined now, cover would begin only after the plan year ended: nothing covered
            return _("等待期 %(n)s 天结束时本年度方案已到期，今年参加不能获得保障") % {
                "n": self.waiting_days
            }
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

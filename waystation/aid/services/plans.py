"""Plan years: create, edit (what people joined on stays fixed), copy to a new year. Audited.

A plan is its city's: the city federation sets it (staff who see that city whole manage it), and
its code is unique within the city. A copy stays in the plan's city."""

import re
from datetime import date
from typing import Any, TypedDict, Unpack, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waystation.accounts.access import NotInScope
from waystation.accounts.models import City
from waystation.privacy.audit import AuditAction, audit_record

from ..access import can_manage_plans_of
from ..examples import example_plans
from ..models import Claim, Plan
from .common import reason_required


class PlanTerms(TypedDict, total=False):
    """Every field staff may set on a plan, in the plan's own units (fen, codes), as
    forms.PlanForm.plan_fields() gives them; `code` is fixed at creation (pages and imports name
    it), and so is its city (plan_create's own argument). A field left out keeps its value (or
    the model's default). The rules of a plan are its model's clean(), the same for the page,
    the services and the example plans."""

    name: str
    kind: str
    year: int
    start_date: date
    end_date: date
    industries: list[str]
    member_statuses: list[str]
    min_age: int
    max_age: int
    waiting_days: int
    funding: str
    contribution_fen: int
    self_enrol: bool
    is_example: bool
    schedule: list[dict[str, Any]]
    note: str


PLAN_FIELDS = tuple(PlanTerms.__annotations__)
# the terms people joined on: each enrolment's cover window and contribution were computed from
# them, so once anyone is enrolled they stay as they are (a new year is a copy)
FIXED_ONCE_ENROLLED = {
    "year": "年度",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "waiting_days": "等待期",
    "funding": "缴费方式",
    "contribution_fen": "缴费金额",
}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _check_plan_manager(actor: User, city_id: int) -> None:
    if not can_manage_plans_of(actor, city_id):
        raise NotInScope


def _code_taken(city_id: int, code: str) -> bool:
    return Plan.objects.filter(city_id=city_id, code=code).exists()


@transaction.atomic
def plan_create(
    *,
    code: str,
    city: City,
    actor: User | None = None,
    reason: str = "",
    **terms: Unpack[PlanTerms],
) -> Plan:
    """A plan year of a city; every field is validated (ValidationError names each problem by
    field). `actor=None` is the system (the example plans); a person must be allowed to manage
    that city's plans."""
    if actor is not None:
        _check_plan_manager(actor, city.pk)
    plan = Plan(city=city, code=code, **terms)
    try:
        plan.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    else:
        errors = {}
    if code and _code_taken(city.pk, code):
        errors.setdefault("code", []).append(
            _("%(city)s已有方案代码 %(code)s") % {"city": city.name, "code": code}
        )
    if errors:
        raise ValidationError(errors)
    plan.save()
    audit_record(
        action=AuditAction.AID_PLAN_CREATE,
        actor=actor,
        obj=plan,
        reason=reason.strip(),
        detail={"code": plan.code},
    )
    return plan


def _schedule_errors(plan: Plan, schedule: Any) -> list[str]:
    """Items that claims on this plan already name (and that are not rejected) must keep their
    code and type: approved claims' lines and yearly caps are counted by item code."""
    if not isinstance(schedule, list):
        return []  # validate_schedule says what is wrong
    used: set[str] = set()
    rows = (
        Claim.objects.filter(enrolment__plan=plan)
        .exclude(status=Claim.Status.REJECTED)
        .values_list("asks", "payable_lines")
    )
    for asks, lines in rows:
        used.update(asks or {})
        used.update(x.get("code", "") for x in lines or [])
    new_types = {i.get("code"): i.get("type") for i in schedule if isinstance(i, dict)}
    return [
        f"“{item['label']}”（{item['code']}）已有理赔使用，不能删除或更改类型"
        for item in plan.schedule
        if item["code"] in used and new_types.get(item["code"]) != item["type"]
    ]


@transaction.atomic
def plan_update(*, plan: Plan, actor: User, reason: str, **terms: Unpack[PlanTerms]) -> Plan:
    """Change any of PLAN_FIELDS, audited with the reason and the before/after values.

    What was already paid stays as it was: approved claims keep the lines frozen at approval,
    items that claims name keep their code and type, and once anyone is enrolled the year, dates,
    waiting period and contribution are fixed. The plan row is locked first, which on PostgreSQL
    also waits for enrolments being inserted at this moment (they hold a key-share lock on it).
    """
    _check_plan_manager(actor, plan.city_id)
    unknown = set(terms) - set(PLAN_FIELDS)
    if unknown:  # a caller mypy does not check
        raise TypeError(f"not plan fields: {sorted(unknown)}")
    reason = reason_required(reason)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    changed = {k: v for k, v in terms.items() if getattr(plan, k) != v}
    if not changed:
        return plan
    errors: dict[str, list[str]] = {}
    enrolled = plan.enrolments.count()
    if enrolled:
        for key in sorted(changed.keys() & FIXED_ONCE_ENROLLED.keys()):
            errors[key] = [
                f"已有 {enrolled:,} 人次参保，不能修改{FIXED_ONCE_ENROLLED[key]}"
                "（已参保人员的保障期和缴费按原方案计算）；如需调整，请复制为新年度方案"
            ]
    if "schedule" in changed:
        problems = _schedule_errors(plan, changed["schedule"])
        if problems:
            errors["schedule"] = problems
    before = {k: _jsonable(getattr(plan, k)) for k in changed}
    for key, value in changed.items():
        setattr(plan, key, value)
    try:
        plan.full_clean(exclude=["code", "city"], validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(m for m in messages if m not in errors.get(key, []))
    if errors:
        raise ValidationError(errors)
    plan.save(update_fields=sorted(changed))
    audit_record(
        action=AuditAction.AID_PLAN_UPDATE,
        actor=actor,
        obj=plan,
        reason=reason,
        detail={"before": before, "after": {k: _jsonable(v) for k, v in changed.items()}},
    )
    return plan


def _same_day_in(year: int, day: date) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return day.replace(year=year, day=28)


@transaction.atomic
def plan_copy(*, plan: Plan, year: int, actor: User, reason: str = "") -> Plan:
    """The plan as a new plan year of its city: same eligibility, contribution and schedule,
    dates moved to that year, code `<code without year>-<year>`. Nobody is enrolled in the copy."""
    _check_plan_manager(actor, plan.city_id)
    base = re.sub(r"-\d{4}$", "", plan.code)
    code = f"{base}-{year}"
    if _code_taken(plan.city_id, code):
        raise ValidationError({"year": [f"{year} 年已有该方案（{code}），请直接编辑"]})
    terms = cast(PlanTerms, {k: getattr(plan, k) for k in PLAN_FIELDS})
    terms["year"] = year
    terms["start_date"] = _same_day_in(year + plan.start_date.year - plan.year, plan.start_date)
    terms["end_date"] = _same_day_in(year + plan.end_date.year - plan.year, plan.end_date)
    return plan_create(
        code=code,
        city=plan.city,
        actor=actor,
        reason=(reason or "").strip() or f"复制自 {plan.code}",
        **terms,
    )


# No actor: the example plans are the system's (the demo loader, a benchmark, tests).
def plans_ensure_examples(year: int, *, city: City) -> list[Plan]:
    """The three example plans of a city for a year, created if missing (idempotent)."""
    out = []
    for fields in example_plans(year):
        plan = Plan.objects.filter(city=city, code=fields["code"]).first()
        out.append(plan or plan_create(city=city, **fields))
    return out

"""Reads for mutual aid: claims in scope, a member's cover, statistics."""

from datetime import date
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from waystation.accounts.access import AnyUser
from waystation.accounts.models import District
from waystation.members.models import Member

from .access import (
    can_approve_claims,
    can_review_claims,
    claims_visible_to,
    condolences_visible_to,
    districts_of,
    enrolments_visible_to,
    payouts_visible_to,
)
from .benefits import describe_item, yuan
from .models import Claim, Enrolment, Payout, Plan


def claim_for_user(user: AnyUser, number: str) -> Claim:
    """A claim the staff account or platform liaison may see, else 404."""
    claim = (
        claims_visible_to(user)
        .select_related("member", "enrolment__plan", "platform")
        .filter(number=number)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


def claim_for_member(member: Member, number: str) -> Claim:
    if not member:
        raise Http404
    claim = (
        Claim.objects.select_related("enrolment__plan", "platform")
        .filter(number=number, member=member)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


def _year(params: Any) -> int | None:
    """The `year` filter as a number; 0 (no plan's year, so nothing) when it is not a year."""
    raw = str(params.get("year") or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdigit() and len(raw) <= 4 else 0


def claims_filtered(user: AnyUser, params: Any) -> QuerySet:
    qs = claims_visible_to(user).select_related("member", "enrolment__plan", "platform")
    for key, lookup in (
        ("status", "status"),
        ("plan", "enrolment__plan__code"),
        ("platform", "platform__code"),
        ("district", "member__work_district"),
        ("platform_status", "platform_status"),
    ):
        if params.get(key):
            qs = qs.filter(**{lookup: params[key]})
    year = _year(params)
    if year is not None:
        qs = qs.filter(enrolment__plan__year=year)
    q = (params.get("q") or "").strip().upper()
    if q:
        qs = qs.filter(Q(number=q) | Q(member__member_number=q))
    return qs


def claims_todo(user: AnyUser) -> list[dict]:
    """What waits for this staff account, by status, in one query: district review for union
    staff; city approval and overrides awaiting a second approver for city approvers."""
    S = Claim.Status
    statuses: list[Any] = [S.SUBMITTED] if can_review_claims(user) else []  # Any: see services
    if can_approve_claims(user):
        statuses += [S.DISTRICT_APPROVED, S.OVERRIDE_PENDING]
    if not statuses:
        return []
    counts = dict(
        claims_visible_to(user)
        .filter(status__in=statuses)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return [{"status": s, "label": s.label, "n": counts.get(s, 0)} for s in statuses]


def plans_open_to(member: Member) -> QuerySet[Plan]:
    """The plans of the member's city (a member never sees another city's plans)."""
    return Plan.objects.filter(city_id=member.city_id)


def member_cover(member: Member, day: date) -> dict:
    enrolments = list(
        Enrolment.objects.filter(member=member).select_related("plan").order_by("-plan__year")
    )
    joined = {e.plan_id for e in enrolments}
    open_plans = [
        p
        for p in plans_open_to(member)
        .filter(self_enrol=True, end_date__gte=day, start_date__lte=day)
        .select_related("city")
        if p.pk not in joined and not p.eligibility_error(member, day)
    ]
    return {
        "enrolments": enrolments,
        "covered_now": [e for e in enrolments if e.covers(day)],
        "open_plans": open_plans,
    }


def _rows(qs: QuerySet, key: str, names: dict | None = None) -> list[dict]:
    out = []
    for r in qs.values(key).annotate(n=Count("id")).order_by("-n"):
        label = r[key]
        out.append({"name": (names or {}).get(label, label) or "（无）", "n": r["n"]})
    return out


def district_names(user: AnyUser) -> dict[str, str]:
    """District code → name, for the cities the account works in."""
    return dict(districts_of(user).values_list("code", "name"))


def aid_stats(user: AnyUser, params: Any | None = None) -> dict:
    """Person-times, claims by status, amounts paid: by plan, year, platform and district."""
    params = params or {}
    enrolments = enrolments_visible_to(user)
    claims = claims_visible_to(user)
    payouts = Payout.objects.filter(status=Payout.Status.PAID, claim__in=claims)
    names = district_names(user)
    year = _year(params)
    if year is not None:
        enrolments = enrolments.filter(plan__year=year)
        claims = claims.filter(enrolment__plan__year=year)
        payouts = payouts.filter(claim__enrolment__plan__year=year)
    status_names = dict(Claim.Status.choices)

    def paid_by(key: str, names: dict | None = None) -> list[dict]:
        # whole yuan for the charts, rounded half up: money never goes through a float
        return [
            {
                "name": (names or {}).get(r[key], r[key]) or "（无）",
                "n": ((r["s"] or 0) + 50) // 100,
            }
            for r in payouts.values(key).annotate(s=Sum("amount_fen")).order_by("-s")
        ]

    paid_total = payouts.aggregate(s=Sum("amount_fen"))["s"] or 0
    return {
        "person_times": enrolments.count(),
        "claims_total": claims.count(),
        "claims_confirmed_paid": claims.filter(
            status=Claim.Status.PAID, platform_status=Claim.PlatformStatus.CONFIRMED
        ).count(),
        "paid_fen": paid_total,
        "paid_count": payouts.count(),
        "condolence_fen": condolences_visible_to(user).aggregate(s=Sum("cash_fen"))["s"] or 0,
        "enrol_by_year": [
            {"name": str(r["plan__year"]), "n": r["n"]}
            for r in enrolments.values("plan__year").annotate(n=Count("id")).order_by("plan__year")
        ],
        "enrol_by_plan": _rows(enrolments, "plan__name"),
        "claims_by_status": _rows(claims, "status", status_names),
        "claims_by_platform": _rows(claims, "platform__name"),
        "claims_by_district": _rows(claims, "member__work_district", names),
        "paid_by_plan": paid_by("claim__enrolment__plan__name"),
        "paid_by_year": paid_by("claim__enrolment__plan__year"),
        "paid_by_platform": paid_by("claim__platform__name"),
        "paid_by_district": paid_by("claim__member__work_district", names),
    }


def enrolment_counts(user: AnyUser) -> list[dict]:
    """Person-times per plan among the members in the account's scope."""
    return list(enrolments_visible_to(user).values("plan").annotate(n=Count("id")).order_by())


def payouts_filtered(user: AnyUser, params: Any) -> QuerySet:
    """Payouts of the cities the account approves for, filtered by status, plan (code), the
    claimant's work district and the city (adcode), with what each row shows fetched in the same
    query (the district's name too)."""
    qs = (
        payouts_visible_to(user)
        .select_related("claim__member", "claim__enrolment__plan", "reissued_as")
        .annotate(
            district_name=Subquery(
                District.objects.filter(code=OuterRef("claim__member__work_district")).values(
                    "name"
                )[:1]
            )
        )
        .order_by("-created_at", "-id")
    )
    for key, lookup in (
        ("status", "status"),
        ("plan", "claim__enrolment__plan__code"),
        ("district", "claim__member__work_district"),
        ("city", "city__adcode"),
    ):
        if params.get(key):
            qs = qs.filter(**{lookup: params[key]})
    return qs


def plan_terms(plan: Plan, today: date) -> dict[str, Any]:
    """What a member reads before joining `plan` today: what it covers (one line per item, in
    yuan), who pays, the waiting period, the dates cover would start and end."""
    start, end = Enrolment.window(plan, today)
    if plan.funding == Plan.Funding.MEMBER:
        who = _("会员本人缴费，每年 %(fee)s") % {"fee": yuan(plan.contribution_fen)}
    else:
        who = _("工会赠送，本人不缴费")
    waiting = (
        _("%(n)s 天（等待期内发生的事故不予给付）") % {"n": plan.waiting_days}
        if plan.waiting_days
        else _("无等待期")
    )
    return {
        "plan": plan,
        "items": [describe_item(i) for i in plan.schedule],
        "who_pays": who,
        "waiting": waiting,
        "covered_from": start,
        "covered_to": end,
        "period": _("%(start)s 至 %(end)s")
        % {"start": f"{start:%Y年%-m月%-d日}", "end": f"{end:%Y年%-m月%-d日}"},
        "warning": _("示例方案：金额为示例值，以工会正式公布的方案为准。")
        if plan.is_example
        else "",
    }

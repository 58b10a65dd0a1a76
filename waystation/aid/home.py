"""What mutual aid contributes to the rider's home (互助保障, with the member's cover and open
claims), the staff navigation (互助) and the workbench: the claims waiting for the account's step
(district review; city approval and overrides; a platform liaison's confirmation) and the
payouts waiting for a bank file. Each to-do links to the claims or payouts list filtered to the
rows it counts."""

from typing import Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.accounts.access import scope_of
from waystation.core import home, nav

from .access import (
    can_approve_claims,
    can_review_claims,
    can_see_claims,
    can_work_on_aid,
    claims_visible_to,
    payouts_visible_to,
)
from .models import Claim, Enrolment, Payout

S = Claim.Status
CLOSED = [S.PAID, S.REJECTED]


def cover_state(member: Any) -> str | None:
    """The member's cover in force today and their claims in progress, as one line."""
    today = timezone.localdate()
    until = (
        Enrolment.objects.filter(
            member=member, city_id=member.city_id, covered_from__lte=today, covered_to__gte=today
        )
        .order_by("-covered_to")
        .values_list("covered_to", flat=True)
        .first()
    )
    n = (
        Claim.objects.filter(member=member, city_id=member.city_id)
        .exclude(status__in=CLOSED)
        .count()
    )
    parts = [_("保障至 %(date)s") % {"date": until.isoformat()}] if until else [_("未在保障期")]
    if n:
        parts.append(_("%(n)d 件理赔办理中") % {"n": n})
    return " · ".join(parts)


def _claims_in(status: str) -> Any:
    return lambda user: claims_visible_to(user).filter(status=status).count()


def _is_liaison(user: Any) -> bool:
    return bool(scope_of(user).platforms)


def claims_to_confirm(user: Any) -> int:
    """Claims naming the liaison's platform whose on-duty status the platform has not given
    (what the claims list shows filtered by 平台确认 = 待平台确认)."""
    scope = scope_of(user)
    return (
        claims_visible_to(user)
        .filter(
            platform_status=Claim.PlatformStatus.PENDING,
            platform__in=sorted(scope.platform_ids),
        )
        .count()
    )


def payouts_to_export(user: Any) -> int:
    return payouts_visible_to(user).filter(status=Payout.Status.PENDING).count()


def register() -> None:
    group = nav.AID
    nav.register(gettext_lazy("互助理赔"), "aid:staff_claims", can_see_claims, group=group)
    nav.register(gettext_lazy("互助付款"), "aid:payouts", can_approve_claims, group=group)
    nav.register(gettext_lazy("互助参保"), "aid:plans", can_work_on_aid, group=group)
    nav.register(gettext_lazy("慰问"), "aid:condolences", can_work_on_aid, group=group)
    nav.register(gettext_lazy("互助统计"), "aid:stats", can_work_on_aid, group=group)

    home.register_tile(
        home.Tile("aid", gettext_lazy("互助保障"), "shield", "aid:my_aid", 30, state=cover_state)
    )
    for order, status, visible in (
        (10, S.SUBMITTED, can_review_claims),
        (11, S.DISTRICT_APPROVED, can_approve_claims),
        (12, S.OVERRIDE_PENDING, can_approve_claims),
    ):
        home.register_todo(
            home.ToDo(
                f"aid.claims.{status}",
                format_lazy(gettext_lazy("理赔{status}"), status=S(status).label),
                "aid:staff_claims",
                count=_claims_in(status),
                visible=visible,
                order=order,
                query=f"status={status}",
            )
        )
    home.register_todo(
        home.ToDo(
            "aid.claims.platform",
            gettext_lazy("理赔待本平台确认在岗"),
            "aid:staff_claims",
            count=claims_to_confirm,
            visible=_is_liaison,
            order=13,
            query="platform_status=pending",
        )
    )
    home.register_todo(
        home.ToDo(
            "aid.payouts",
            gettext_lazy("付款待导出银行文件"),
            "aid:payouts",
            count=payouts_to_export,
            visible=can_approve_claims,
            order=30,
            query="status=pending",
        )
    )

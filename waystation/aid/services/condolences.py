"""Condolence visits (慰问): cash or goods handed to a member, with the approver named, in the
name of a union of the member's city; the visit carries that city."""

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waystation.accounts.access import NotInScope
from waystation.accounts.models import OrgUnit
from waystation.members.models import Member
from waystation.privacy.audit import AuditAction, audit_record

from ..access import can_act_for_unit, can_approve_in, can_review_claims, can_visit_member
from ..models import Condolence, Plan
from .common import reason_required


@transaction.atomic
def condolence_record(
    *,
    member: Member,
    visited_on: date,
    cash_fen: int,
    goods: str,
    goods_value_fen: int,
    reason: str,
    approver: Any,
    actor: User,
    unit: OrgUnit,
    plan: Plan | None = None,
) -> Condolence:
    if not (
        can_review_claims(actor)
        and can_visit_member(actor, member)
        and can_act_for_unit(actor, unit)
    ):
        raise NotInScope
    city_id = member.city_id
    if unit.city_id != city_id:  # a union of another city does not visit this member
        raise NotInScope
    if plan is not None and plan.city_id != city_id:
        raise ValidationError({"plan": [_("该专项不是会员所在城市的方案")]})
    reason = reason_required(reason)
    if cash_fen < 0 or goods_value_fen < 0:
        raise ValidationError({"cash": ["金额不能为负"]})
    if cash_fen == 0 and not goods.strip():
        raise ValidationError({"cash": ["请填写慰问金或慰问品"]})
    if approver is None:
        raise ValidationError({"approver": ["请选择审批人"]})
    if not can_approve_in(approver, city_id):
        raise ValidationError({"approver": [_("审批人须为会员所在城市的市级工作人员")]})
    c = Condolence.objects.create(
        city_id=city_id,
        member=member,
        plan=plan,
        visited_on=visited_on,
        cash_fen=cash_fen,
        goods=goods.strip()[:200],
        goods_value_fen=goods_value_fen,
        reason=reason,
        approver=approver,
        recorded_by=actor,
        unit=unit,
    )
    audit_record(
        action=AuditAction.AID_CONDOLENCE,
        actor=actor,
        obj=c,
        reason=reason,
        detail={"cash_fen": cash_fen, "member": member.member_number},
    )
    return c

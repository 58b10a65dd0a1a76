"""Claims from report to the city's desk: a member reports, the platform confirms on-duty
status, the district reviewer assesses and passes it on, returns it or rejects it; the member
resubmits a returned claim. Each step is one of the state machine (aid/workflow.py), taken on
the locked row and audited. City approval and payouts: services/approval.py, payouts.py."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from waystation.accounts.access import can_review_claims
from waystation.accounts.models import Platform
from waystation.core.models import counter_take
from waystation.privacy import crypto
from waystation.privacy.audit import audit_record
from waystation.privacy.masking import mask_bank_card

from .. import workflow as flow
from ..benefits import ask_checked
from ..models import Claim, Enrolment, Plan
from .common import ClaimStateError, claim_locked, claim_step, reason_required


def _claim_number() -> str:
    n = counter_take("aid_claim", 1)[0]
    return f"HZ{timezone.localdate().year}{n:06d}"


def clean_asks(plan: Plan, raw: dict) -> dict:
    """What a claim asks, per schedule item of the plan: {"medical": {"amount": fen}, …}, each in
    the shape of its item's type (benefits.ASK_SHAPES)."""
    asks: dict[str, dict] = {}
    errors: list[str] = []
    for code, ask in (raw or {}).items():
        item = plan.item(code)
        if item is None:
            errors.append(f"方案中没有“{code}”这项保障")
            continue
        try:
            asks[code] = ask_checked(item, ask)
        except (TypeError, ValueError):
            errors.append(f"“{item['label']}”的数值无效")
    if errors:
        raise ValidationError({"asks": errors})
    return asks


def claim_report(*, member: Any, data: dict, request: Any = None) -> Claim:
    """A member reports an incident on one of their enrolments.

    data: enrolment (id), incident_type, incident_date (date), incident_place, description,
    platform (code, optional), asks (see clean_asks), bank_name, account_name, bank_card.
    """
    errors: dict[str, list[str]] = {}
    enrolment = (
        Enrolment.objects.select_related("plan")
        .filter(pk=data.get("enrolment") or 0, member=member)
        .first()
    )
    if enrolment is None:
        errors["enrolment"] = ["请选择您参加的互助保障"]
    kind = data.get("incident_type")
    if kind not in Claim.Incident.values:
        errors["incident_type"] = ["请选择事故类型"]
    day = data.get("incident_date")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, date):
        errors["incident_date"] = ["请填写事故日期"]
    elif day > timezone.localdate():
        errors["incident_date"] = ["事故日期不能晚于今天"]
    elif enrolment is not None and not enrolment.covers(day):
        errors["incident_date"] = [
            f"该日期不在保障期内（保障期 {enrolment.covered_from:%Y-%m-%d} 至 "
            f"{enrolment.covered_to:%Y-%m-%d}，含等待期）"
        ]
    place = (data.get("incident_place") or "").strip()
    if not place:
        errors["incident_place"] = ["请填写事故地点"]
    description = (data.get("description") or "").strip()
    if len(description) < 4:
        errors["description"] = ["请简要描述事故经过"]
    platform = None
    if data.get("platform"):
        platform = Platform.objects.filter(code=data["platform"]).first()
        if platform is None:
            errors["platform"] = ["平台无效"]
    card = "".join(ch for ch in str(data.get("bank_card") or "") if ch.isdigit())
    if not 12 <= len(card) <= 19:
        errors["bank_card"] = ["请填写本人银行卡号（12–19 位数字）"]
    if not (data.get("bank_name") or "").strip():
        errors["bank_name"] = ["请填写开户银行"]
    asks: dict = {}
    if enrolment is not None:
        try:
            asks = clean_asks(enrolment.plan, data.get("asks") or {})
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert enrolment is not None and isinstance(day, date)
    with transaction.atomic():
        claim = Claim.objects.create(
            number=_claim_number(),
            member=member,
            enrolment=enrolment,
            platform=platform,
            incident_type=kind,
            incident_date=day,
            incident_place=place[:200],
            description=description,
            asks=asks,
            platform_status=Claim.PlatformStatus.PENDING
            if platform
            else Claim.PlatformStatus.NOT_NEEDED,
            bank_name=data["bank_name"].strip()[:50],
            account_name=(data.get("account_name") or member.name).strip()[:50],
            bank_card_enc=crypto.encrypt(card),
            bank_card_masked=mask_bank_card(card),
        )
        audit_record(
            action="aid.claim_report",
            actor_label=member.member_number,
            obj=claim,
            detail={"number": claim.number, "plan": enrolment.plan.code},
            request=request,
        )
    return claim


@transaction.atomic
def claim_resubmit(*, claim: Claim, member: Any, request: Any = None) -> Claim:
    claim = claim_locked(claim)
    claim.status = claim_step(claim, flow.Step.RESUBMIT, member).target
    claim.save(update_fields=["status", "updated_at"])
    audit_record(
        action="aid.claim_resubmit", actor_label=member.member_number, obj=claim, request=request
    )
    return claim


@transaction.atomic
def claim_platform_confirm(
    *,
    claim: Claim,
    platform: Platform,
    working: bool,
    note: str = "",
    actor: Any = None,
    request: Any = None,
) -> Claim:
    """The platform says whether the claimant was working for it at the incident time."""
    claim = claim_locked(claim)
    if claim.platform_id != platform.pk:
        raise PermissionError
    if claim.status not in flow.GATHERING:
        raise ClaimStateError("该申请已审结，不能再确认")
    claim.platform_status = (
        Claim.PlatformStatus.CONFIRMED if working else Claim.PlatformStatus.DENIED
    )
    claim.platform_note = (note or "").strip()[:500]
    claim.platform_confirmed_at = timezone.now()
    claim.save(
        update_fields=["platform_status", "platform_note", "platform_confirmed_at", "updated_at"]
    )
    audit_record(
        action="aid.platform_confirm",
        actor=actor,
        actor_label="" if actor else f"platform:{platform.code}",
        obj=claim,
        detail={"working": working, "platform": platform.code},
        request=request,
    )
    return claim


@transaction.atomic
def claim_assess(*, claim: Claim, asks: dict, actor: Any, request: Any = None) -> Claim:
    """The reviewer sets the assessed figures (invoice total, hospital days, disability grade)."""
    if not can_review_claims(actor):
        raise PermissionError
    claim = claim_locked(claim)
    if claim.status not in flow.ASSESSABLE:
        raise ClaimStateError(f"当前状态“{claim.get_status_display()}”不能修改核定金额")
    old = claim.asks
    claim.asks = clean_asks(claim.enrolment.plan, asks)
    claim.save(update_fields=["asks", "updated_at"])
    audit_record(
        action="aid.claim_assess",
        actor=actor,
        obj=claim,
        detail={"before": old, "after": claim.asks},
        request=request,
    )
    return claim


@transaction.atomic
def claim_review(*, claim: Claim, actor: Any, note: str = "", request: Any = None) -> Claim:
    """District review passes the claim on to the city."""
    if not can_review_claims(actor):
        raise PermissionError
    claim = claim_locked(claim)
    target = claim_step(claim, flow.Step.REVIEW, actor).target
    if claim.platform_status == Claim.PlatformStatus.PENDING:
        raise ClaimStateError("平台尚未确认事故时是否在岗，请等待平台确认")
    if claim.platform_status == Claim.PlatformStatus.DENIED:
        raise ClaimStateError("平台确认事故时不在岗，请退回或不予通过")
    missing = claim.missing_documents()
    if missing:
        raise ClaimStateError("缺少材料：" + "、".join(missing))
    claim.status = target
    claim.status_note = (note or "").strip()
    claim.reviewed_by = actor
    claim.reviewed_at = timezone.now()
    claim.save(update_fields=["status", "status_note", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(action="aid.claim_review", actor=actor, obj=claim, reason=note, request=request)
    return claim


@transaction.atomic
def claim_return(*, claim: Claim, actor: Any, note: str, request: Any = None) -> Claim:
    """Back to the member for more documents; the note says what is missing."""
    if not can_review_claims(actor):
        raise PermissionError
    note = reason_required(note, "note")
    claim = claim_locked(claim)
    claim.status = claim_step(claim, flow.Step.RETURN, actor).target
    claim.status_note = note
    claim.save(update_fields=["status", "status_note", "updated_at"])
    audit_record(action="aid.claim_return", actor=actor, obj=claim, reason=note, request=request)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, actor: Any, reason: str, request: Any = None) -> Claim:
    if not can_review_claims(actor):
        raise PermissionError
    reason = reason_required(reason)
    claim = claim_locked(claim)
    claim.status = claim_step(claim, flow.Step.REJECT, actor).target
    claim.status_note = reason
    claim.save(update_fields=["status", "status_note", "updated_at"])
    audit_record(action="aid.claim_reject", actor=actor, obj=claim, reason=reason, request=request)
    return claim


def asks_from_form(plan: Plan, *, incident_type: str, medical_fen: int = 0, days: int = 0) -> dict:
    """What a member's phone form means in schedule terms: bills → the reimbursement item,
    hospital days → the daily item, a diagnosis or death → the fixed sums of the plan."""
    asks: dict[str, dict] = {}
    for item in plan.schedule:
        kind, code = item["type"], item["code"]
        if kind == "reimbursement" and medical_fen:
            asks[code] = {"amount": medical_fen}
        elif kind == "daily" and days:
            asks[code] = {"days": days}
        elif (kind == "fixed" and incident_type == "illness") or (
            kind == "death" and incident_type == "death"
        ):
            asks[code] = {}
    return asks

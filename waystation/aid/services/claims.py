"""Claims from report to the city's desk: a member reports, the platform confirms on-duty
status, the district reviewer assesses and passes it on, returns it or rejects it; the member
resubmits a returned claim. Each step is one of the state machine (aid/workflow.py), taken on
the locked row and audited. City approval and payouts: services/approval.py, payouts.py."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.access import NotInScope
from waystation.accounts.models import Platform
from waystation.core.models import counter_take
from waystation.members.models import Member
from waystation.privacy import crypto
from waystation.privacy.audit import AuditAction, audit_record
from waystation.privacy.masking import mask_bank_card

from .. import workflow as flow
from ..access import can_review_claim, can_review_claims, can_speak_for_platform
from ..benefits import ask_checked
from ..models import Claim, Enrolment, Plan
from ..notify import claim_notify
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


@dataclass(frozen=True)
class ClaimReport:
    """A member's report of an incident, checked at the boundary by forms.ClaimReportForm (the
    phone page's and the API's schema): what claim_report writes."""

    enrolment: Enrolment
    incident_type: str
    incident_date: date
    incident_place: str
    description: str
    platform: Platform | None
    asks: dict[str, dict[str, int]]  # clean_asks of the enrolment's plan
    bank_name: str
    account_name: str
    bank_card: str  # digits


def claim_report(*, member: Member, report: ClaimReport) -> Claim:
    """A member reports an incident on one of their enrolments. The claim waits for district
    review, and for the platform's word if it names one; the bank card is stored encrypted."""
    if report.enrolment.member_id != member.pk:
        raise NotInScope
    with transaction.atomic():
        claim = Claim.objects.create(
            number=_claim_number(),
            city_id=report.enrolment.city_id,
            member=member,
            enrolment=report.enrolment,
            platform=report.platform,
            incident_type=report.incident_type,
            incident_date=report.incident_date,
            incident_place=report.incident_place,
            description=report.description,
            asks=report.asks,
            platform_status=Claim.PlatformStatus.PENDING
            if report.platform
            else Claim.PlatformStatus.NOT_NEEDED,
            bank_name=report.bank_name,
            account_name=report.account_name,
            bank_card_enc=crypto.encrypt(report.bank_card),
            bank_card_masked=mask_bank_card(report.bank_card),
        )
        audit_record(
            action=AuditAction.AID_CLAIM_REPORT,
            actor_label=member.member_number,
            obj=claim,
            detail={"number": claim.number, "plan": report.enrolment.plan.code},
        )
        claim_notify(claim.pk)
    return claim


@transaction.atomic
def claim_resubmit(*, claim: Claim, member: Member) -> Claim:
    claim = claim_locked(claim)
    claim.status = claim_step(claim, flow.Step.RESUBMIT, member).target
    claim.save(update_fields=["status", "updated_at"])
    audit_record(action=AuditAction.AID_CLAIM_RESUBMIT, actor_label=member.member_number, obj=claim)
    return claim


def _platform_may_answer(claim: Claim, platform: Platform, actor: User | Platform) -> Claim:
    """The claim locked, if `actor` speaks for its platform and it still gathers facts."""
    claim = claim_locked(claim)
    if claim.platform_id != platform.pk or not can_speak_for_platform(
        actor, platform, claim.city_id
    ):
        raise NotInScope
    if claim.status not in flow.GATHERING:
        raise ClaimStateError("该申请已审结，不能再确认")
    return claim


@transaction.atomic
def claim_platform_confirm(
    *,
    claim: Claim,
    platform: Platform,
    working: bool,
    note: str = "",
    actor: User | Platform,
) -> Claim:
    """The platform says whether the claimant was working for it at the incident time. `actor`:
    the platform itself (its API token) or one of its liaisons; `platform` must be the claim's."""
    claim = _platform_may_answer(claim, platform, actor)
    answered = claim.platform_status in (
        Claim.PlatformStatus.CONFIRMED,
        Claim.PlatformStatus.DENIED,
    )
    if answered:
        # once given, the platform's word is read-only: the same answer again changes nothing,
        # another one goes through claim_platform_correct with a reason
        if (claim.platform_status == Claim.PlatformStatus.CONFIRMED) == working:
            return claim
        raise ClaimStateError(
            _("平台已答复“%(s)s”，不能直接改动；如需更正，请填写更正理由提交更正")
            % {"s": claim.get_platform_status_display()}
        )
    claim.platform_status = (
        Claim.PlatformStatus.CONFIRMED if working else Claim.PlatformStatus.DENIED
    )
    claim.platform_note = (note or "").strip()[:500]
    claim.platform_confirmed_at = timezone.now()
    claim.save(
        update_fields=["platform_status", "platform_note", "platform_confirmed_at", "updated_at"]
    )
    by_token = isinstance(actor, Platform)
    audit_record(
        action=AuditAction.AID_PLATFORM_CONFIRM,
        actor=None if isinstance(actor, Platform) else actor,
        actor_label=f"platform:{platform.code}" if by_token else "",
        obj=claim,
        detail={"working": working, "platform": platform.code},
    )
    claim_notify(claim.pk)
    return claim


@transaction.atomic
def claim_assess(*, claim: Claim, asks: dict, actor: User) -> Claim:
    """The reviewer sets the assessed figures (invoice total, hospital days, disability grade)."""
    if not can_review_claim(actor, claim):
        raise NotInScope
    claim = claim_locked(claim)
    if claim.status not in flow.ASSESSABLE:
        raise ClaimStateError(f"当前状态“{claim.get_status_display()}”不能修改核定金额")
    old = claim.asks
    claim.asks = clean_asks(claim.enrolment.plan, asks)
    claim.save(update_fields=["asks", "updated_at"])
    audit_record(
        action=AuditAction.AID_CLAIM_ASSESS,
        actor=actor,
        obj=claim,
        detail={"before": old, "after": claim.asks},
    )
    return claim


@transaction.atomic
def claim_review(*, claim: Claim, actor: User, note: str = "") -> Claim:
    """District review passes the claim on to the city."""
    if not can_review_claims(actor):
        raise NotInScope
    claim = claim_locked(claim)
    target = claim_step(claim, flow.Step.REVIEW, actor).target
    blockers = claim.review_blockers()
    if blockers:
        raise ClaimStateError(blockers[0])
    claim.status = target
    claim.status_note = (note or "").strip()
    claim.reviewed_by = actor
    claim.reviewed_at = timezone.now()
    claim.save(update_fields=["status", "status_note", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(action=AuditAction.AID_CLAIM_REVIEW, actor=actor, obj=claim, reason=note)
    claim_notify(claim.pk)
    return claim


@transaction.atomic
def claim_return(*, claim: Claim, actor: User, note: str) -> Claim:
    """Back to the member for more documents; the note says what is missing."""
    if not can_review_claims(actor):
        raise NotInScope
    note = reason_required(note, "note")
    claim = claim_locked(claim)
    claim.status = claim_step(claim, flow.Step.RETURN, actor).target
    claim.status_note = note
    claim.save(update_fields=["status", "status_note", "updated_at"])
    audit_record(action=AuditAction.AID_CLAIM_RETURN, actor=actor, obj=claim, reason=note)
    claim_notify(claim.pk)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, actor: User, reason: str) -> Claim:
    if not can_review_claims(actor):
        raise NotInScope
    reason = reason_required(reason)
    claim = claim_locked(claim)
    claim.status = claim_step(claim, flow.Step.REJECT, actor).target
    claim.status_note = reason
    claim.save(update_fields=["status", "status_note", "updated_at"])
    audit_record(action=AuditAction.AID_CLAIM_REJECT, actor=actor, obj=claim, reason=reason)
    claim_notify(claim.pk)
    return claim


def member_aid_sms_set(*, member: Member, on: bool) -> Member:
    """The member's own choice: a text message at each step of their claims (on), or none."""
    member.aid_sms_opt_out = not on
    member.save(update_fields=["aid_sms_opt_out"])
    return member


@transaction.atomic
def claim_platform_correct(
    *,
    claim: Claim,
    platform: Platform,
    working: bool,
    reason: str,
    actor: User | Platform,
) -> Claim:
    """The platform corrects its answer on on-duty status (its liaison or its token), with a
    reason; the audit log keeps what it said before. Only while the claim still gathers facts
    (as for the first answer): once approved or refused, a wrong answer is a matter for the
    city's own correction of the claim, not the platform's."""
    reason = reason_required(reason)
    claim = _platform_may_answer(claim, platform, actor)
    if claim.platform_status not in (Claim.PlatformStatus.CONFIRMED, Claim.PlatformStatus.DENIED):
        raise ClaimStateError(_("平台尚未答复，请直接提交确认"))
    new = Claim.PlatformStatus.CONFIRMED if working else Claim.PlatformStatus.DENIED
    if claim.platform_status == new:
        raise ValidationError({"working": [_("与原答复相同，无需更正")]})
    before = {
        "status": claim.platform_status,
        "note": claim.platform_note,
        "at": claim.platform_confirmed_at.isoformat() if claim.platform_confirmed_at else None,
    }
    claim.platform_status = new
    claim.platform_note = reason[:500]
    claim.platform_confirmed_at = timezone.now()
    claim.save(
        update_fields=["platform_status", "platform_note", "platform_confirmed_at", "updated_at"]
    )
    audit_record(
        action=AuditAction.AID_PLATFORM_CORRECT,
        actor=None if isinstance(actor, Platform) else actor,
        actor_label=f"platform:{platform.code}" if isinstance(actor, Platform) else "",
        obj=claim,
        reason=reason,
        detail={"before": before, "working": working, "platform": platform.code},
    )
    claim_notify(claim.pk)
    return claim

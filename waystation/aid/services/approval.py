"""City approval: the computed amount or an override is frozen and the payout created, exactly
once (services/payouts.py). An override above AID_OVERRIDE_SECOND_APPROVER_FEN waits for a
second city approver, who confirms it or sends it back."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.access import NotInScope
from waystation.privacy.audit import AuditAction, audit_record

from .. import workflow as flow
from ..access import can_approve_in
from ..benefits import yuan
from ..models import Claim, Payout
from ..notify import claim_notify
from .common import ClaimStateError, claim_locked, claim_step, reason_required
from .payouts import live_payout, payout_on_approval

# An override replaces what the schedule computed, so whoever checks it later must be able to
# see why from the reason alone: which document, which fact the schedule could not express. Two
# characters ("补计") said nothing; ten is about the shortest sentence that names both.
OVERRIDE_REASON_MIN_CHARS = 10
# the money columns are PositiveIntegerField: PostgreSQL `integer`, at most 2³¹ − 1 fen
MAX_FEN = 2**31 - 1


def _override_checked(claim: Claim, override_fen: int, override_reason: str) -> str:
    """The reason of an override that the plan allows, or ValidationError naming every problem
    under its field."""
    errors: dict[str, list[str]] = {}
    if override_fen < 0:
        errors["override_fen"] = [_("调整金额不能为负")]
    elif override_fen > MAX_FEN:
        errors["override_fen"] = [_("调整金额超出可记录的范围（最多 %s）") % yuan(MAX_FEN)]
    elif override_fen > (most := claim.override_ceiling()):
        errors["override_fen"] = [
            _("调整金额不能超过方案对本案所报项目的最高给付 %s（各项单次、年度上限）") % yuan(most)
        ]
    reason = (override_reason or "").strip()
    if len(reason) < OVERRIDE_REASON_MIN_CHARS:
        errors["override_reason"] = [
            _("请写明调整理由（至少 %d 个字）：依据哪份材料、为何与方案计算不同")
            % OVERRIDE_REASON_MIN_CHARS
        ]
    if errors:
        raise ValidationError(errors)
    return reason


def _needs_second_approver(amount: int) -> bool:
    return amount > settings.AID_OVERRIDE_SECOND_APPROVER_FEN


def claim_approve_check(
    *,
    claim: Claim,
    actor: User,
    override_fen: int | None = None,
    override_reason: str = "",
) -> int:
    """What claim_approve would pay, or the error it would raise, writing nothing: the page
    asks to confirm only an approval that would go through (the role, the claim's state, cover,
    the override's limits and reason are checked here as there)."""
    if not can_approve_in(actor, claim.city_id):
        raise NotInScope
    claim_step(claim, flow.Step.APPROVE, actor)
    payable = claim.payable_amount()
    if not payable.covered:
        raise ClaimStateError(payable.lines[0].explanation)
    amount = payable.total
    if override_fen is not None and override_fen != payable.total:
        _override_checked(claim, override_fen, override_reason)
        amount = override_fen
    if amount <= 0:
        raise ValidationError({"override_fen": ["应付金额为 0，请不予通过或填写调整金额"]})
    return amount


def claim_override_confirm_check(*, claim: Claim, actor: User) -> int:
    """What claim_override_confirm would pay, or the error it would raise, writing nothing."""
    if not can_approve_in(actor, claim.city_id):
        raise NotInScope
    confirm = claim_step(claim, flow.Step.OVERRIDE_CONFIRM, actor)
    if confirm.not_by_requester and claim.approved_by_id == actor.pk:
        raise ValidationError(
            {"override": [_("调整金额须由另一位市级审批人复核确认，不能确认自己提出的调整")]}
        )
    assert claim.override_fen is not None  # override_pending always carries one
    _override_checked(claim, claim.override_fen, claim.override_reason)
    return claim.override_fen


def claim_approve(
    *,
    claim: Claim,
    actor: User,
    override_fen: int | None = None,
    override_reason: str = "",
) -> Payout | None:
    """City approval: freeze the computed amount (or an override, with a reason) and create the
    payout, exactly once. Approving an approved claim again returns its payout unchanged.

    An override stays within what the plan could ever pay on the claim. Above
    AID_OVERRIDE_SECOND_APPROVER_FEN it creates no payout: the claim waits (override_pending,
    None is returned) until another city approver confirms it (claim_override_confirm)."""
    if not can_approve_in(actor, claim.city_id):
        raise NotInScope
    with transaction.atomic():
        claim = claim_locked(claim)
        if claim.status in flow.HAS_PAYOUT:
            live = live_payout(claim)
            if live is not None:
                return live
        approve = claim_step(claim, flow.Step.APPROVE, actor)
        amount = claim_approve_check(
            claim=claim, actor=actor, override_fen=override_fen, override_reason=override_reason
        )
        payable = claim.payable_amount()
        overridden = override_fen is not None and override_fen != payable.total
        claim.override_fen = override_fen if overridden else None
        claim.override_reason = (override_reason or "").strip() if overridden else ""
        claim.approved_by = actor
        claim.approved_at = timezone.now()
        fields = ["override_fen", "override_reason", "approved_by", "approved_at"]
        if claim.override_fen is not None and _needs_second_approver(amount):
            claim.status = claim_step(claim, flow.Step.OVERRIDE_REQUEST, actor).target
            claim.save(update_fields=[*fields, "status", "updated_at"])
            audit_record(
                action=AuditAction.AID_CLAIM_OVERRIDE_REQUEST,
                actor=actor,
                obj=claim,
                reason=claim.override_reason,
                detail={
                    "computed_fen": payable.total,
                    "override_fen": amount,
                    "threshold_fen": settings.AID_OVERRIDE_SECOND_APPROVER_FEN,
                },
            )
            return None
        payout = payout_on_approval(claim, payable, amount, fields, approve.target)
        audit_record(
            action=AuditAction.AID_CLAIM_APPROVE,
            actor=actor,
            obj=claim,
            reason=claim.override_reason,
            detail={
                "computed_fen": payable.total,
                "approved_fen": amount,
                "payout": payout.pk,
            },
        )
        claim_notify(claim.pk)
    return payout


def claim_override_confirm(*, claim: Claim, actor: User) -> Payout:
    """The second city approver confirms an override that waits for it: the amount is frozen
    and the payout created, exactly once, as in claim_approve. The approver who set the amount
    cannot confirm it; the plan's limits are checked again (another claim may have used the
    yearly cap meanwhile). Confirming a confirmed claim returns its payout."""
    if not can_approve_in(actor, claim.city_id):
        raise NotInScope
    with transaction.atomic():
        claim = claim_locked(claim)
        if claim.status in flow.HAS_PAYOUT:
            live = live_payout(claim)
            if live is not None:
                return live
        confirm = claim_step(claim, flow.Step.OVERRIDE_CONFIRM, actor)
        amount = claim_override_confirm_check(claim=claim, actor=actor)
        payable = claim.payable_amount()
        claim.override_confirmed_by = actor
        claim.override_confirmed_at = timezone.now()
        payout = payout_on_approval(
            claim,
            payable,
            amount,
            ["override_confirmed_by", "override_confirmed_at"],
            confirm.target,
        )
        audit_record(
            action=AuditAction.AID_CLAIM_OVERRIDE_CONFIRM,
            actor=actor,
            obj=claim,
            reason=claim.override_reason,
            detail={
                "computed_fen": payable.total,
                "approved_fen": claim.approved_fen,
                "requested_by": claim.approved_by_id,
                "payout": payout.pk,
            },
        )
        claim_notify(claim.pk)
    return payout


@transaction.atomic
def claim_override_decline(*, claim: Claim, actor: User, note: str) -> Claim:
    """A city approver (the second one, or the first withdrawing it) sends an override back: the
    claim waits for city approval again, without the override, and the note says why."""
    if not can_approve_in(actor, claim.city_id):
        raise NotInScope
    note = reason_required(note, "note")
    claim = claim_locked(claim)
    claim.status = claim_step(claim, flow.Step.OVERRIDE_DECLINE, actor).target
    declined = {"override_fen": claim.override_fen, "requested_by": claim.approved_by_id}
    claim.override_fen, claim.override_reason = None, ""
    claim.approved_by, claim.approved_at = None, None
    claim.status_note = note
    claim.save(
        update_fields=[
            "status",
            "override_fen",
            "override_reason",
            "approved_by",
            "approved_at",
            "status_note",
            "updated_at",
        ]
    )
    audit_record(
        action=AuditAction.AID_CLAIM_OVERRIDE_DECLINE,
        actor=actor,
        obj=claim,
        reason=note,
        detail=declined,
    )
    return claim

"""Exactly one payout per claim: the core that every path to money goes through.

A claim moves submitted → district_approved → approved → paid (aid/workflow.py). Approving
creates the payout in the same transaction, with the claim row locked; a partial unique
constraint (one payout per claim that has not failed, `aid_one_live_payout`) makes a second
payout impossible even if a code path forgot the lock. So approving twice, approving while
another approver approves, re-issuing a failed transfer twice: each answers with the one live
payout. aid/tests/test_payout.py proves it, with 50 threads on PostgreSQL.

Only `payout_on_approval` moves a claim into the approved state, and only `payout_insert`
creates a payout.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from waystation.accounts.access import NotInScope
from waystation.privacy import crypto
from waystation.privacy.audit import AuditAction, audit_record
from waystation.privacy.masking import mask_bank_card

from .. import benefits
from ..access import can_approve_in
from ..models import Claim, Payout
from .common import ClaimStateError, claim_locked


def live_payout(claim: Claim) -> Payout | None:
    """The claim's payout that has not failed: there is at most one (the constraint)."""
    return claim.payouts.exclude(status=Payout.Status.FAILED).first()


def payout_insert(claim: Claim, supersedes: Payout | None = None) -> Payout:
    """Insert the claim's live payout; if one exists (the constraint says so), return it."""
    try:
        with transaction.atomic():
            return Payout.objects.create(
                city_id=claim.city_id,
                claim=claim,
                amount_fen=claim.approved_fen or 0,
                supersedes=supersedes,
            )
    except IntegrityError:
        live = live_payout(claim)
        if live is None:
            raise
        return live


def payout_on_approval(
    claim: Claim, payable: benefits.Payable, amount: int, fields: list[str], status: str
) -> Payout:
    """Freeze what was computed and the amount to pay, move the (locked) claim to `status` (the
    approved state its workflow step leads to) and insert its one live payout: the single way
    into the approved state."""
    claim.payable_lines = payable.as_dict()["lines"]
    claim.computed_fen = payable.total
    claim.approved_fen = amount
    claim.status = status
    claim.save(
        update_fields=[
            *fields,
            "payable_lines",
            "computed_fen",
            "approved_fen",
            "status",
            "updated_at",
        ]
    )
    return payout_insert(claim)


def payout_create(*, claim: Claim, actor: User) -> Payout:
    """The payout of an approved claim: the existing live one, or a new one. Never two."""
    if not can_approve_in(actor, claim.city_id):
        raise NotInScope
    with transaction.atomic():
        claim = claim_locked(claim)
        live = live_payout(claim)
        if live is not None:
            return live
        if claim.status != Claim.Status.APPROVED:
            raise ClaimStateError(f"当前状态“{claim.get_status_display()}”不能生成付款")
        payout = payout_insert(claim)
        audit_record(action=AuditAction.AID_PAYOUT_CREATE, actor=actor, obj=payout, detail={})
        return payout


@transaction.atomic
def payout_reissue(
    *,
    payout: Payout,
    actor: User,
    bank_name: str = "",
    bank_card: str = "",
) -> Payout:
    """A failed transfer goes out again as a new payout that supersedes it; the constraint keeps
    it to one live payout, so re-issuing twice still pays once."""
    if not can_approve_in(actor, payout.city_id):
        raise NotInScope
    claim = claim_locked(payout.claim)
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if payout.status != Payout.Status.FAILED:
        raise ClaimStateError("只有支付失败的付款才能重新发放")
    if hasattr(payout, "reissued_as"):
        return payout.reissued_as
    live = live_payout(claim)
    if live is not None:
        return live
    fields = []
    card = "".join(ch for ch in bank_card if ch.isdigit())
    if card:
        if not 12 <= len(card) <= 19:
            raise ValidationError({"bank_card": ["银行卡号应为 12–19 位数字"]})
        claim.bank_card_enc = crypto.encrypt(card)
        claim.bank_card_masked = mask_bank_card(card)
        fields += ["bank_card_enc", "bank_card_masked"]
    if bank_name.strip():
        claim.bank_name = bank_name.strip()[:50]
        fields.append("bank_name")
    if fields:
        claim.save(update_fields=[*fields, "updated_at"])
    new = payout_insert(claim, supersedes=payout)
    audit_record(
        action=AuditAction.AID_PAYOUT_REISSUE,
        actor=actor,
        obj=new,
        detail={"supersedes": payout.pk, "card_changed": bool(card)},
    )
    return new

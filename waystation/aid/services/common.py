"""What the aid services share: the claim-state error, the row lock, a step of the state machine
checked against who takes it, and the small input rules (a reason, an amount in yuan)."""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from waystation.accounts.access import NotInScope
from waystation.members.models import Member

from .. import workflow as flow
from ..access import can_approve_in, can_review_claim
from ..models import Claim


class ClaimStateError(ValidationError):
    """The claim is not in a state that allows this step (the API answers 409)."""


# who holds a role of the workflow, for this claim
ROLE_RULES: dict[flow.Role, Callable[[Any, Claim], bool]] = {
    flow.Role.CLAIMANT: lambda actor, claim: actor is not None and claim.member_id == actor.pk,
    flow.Role.REVIEWER: can_review_claim,
    flow.Role.CITY_APPROVER: lambda actor, claim: can_approve_in(actor, claim.city_id),
}


def claim_step(claim: Claim, step: flow.Step, actor: User | Member) -> flow.Transition:
    """The transition `step` takes the (locked) claim through. NotInScope if the actor may take
    the step from no status at all, or the claim is outside their scope (asked first, so an
    outsider learns nothing of the claim); ClaimStateError if it cannot start from the claim's
    status; NotInScope if it can, but not by this actor (a reviewer on a claim that waits for
    the city)."""
    if not any(ROLE_RULES[role](actor, claim) for role in flow.roles_of(step)):
        raise NotInScope
    found = flow.transition(claim.status, step)
    if found is None:
        raise ClaimStateError(flow.refusal(claim.status, step))
    if not ROLE_RULES[found.role](actor, claim):
        raise NotInScope
    return found


def claim_locked(claim: Claim) -> Claim:
    """The claim again, its row locked until the transaction ends (every change of status)."""
    return Claim.objects.select_for_update().select_related("enrolment__plan").get(pk=claim.pk)


def reason_required(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if len(text) < 2:
        raise ValidationError({field: ["请填写理由"]})
    return text


def fen_from_yuan(value: Any, field: str = "amount") -> int:
    """'3200' or '3200.5' yuan → 320050 fen, exactly (Decimal, never float)."""
    if value in (None, ""):
        return 0
    try:
        d = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation as exc:
        raise ValidationError({field: ["请输入金额（元）"]}) from exc
    if d < 0 or d != d.quantize(Decimal("0.01")) or d > Decimal("100000000"):
        raise ValidationError({field: ["金额须为非负数，最多两位小数"]})
    return int(d * 100)

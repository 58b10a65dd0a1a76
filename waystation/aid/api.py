"""Mutual-aid API: members file claims, platforms confirm work status, the city approves.

Auth: a member's session (signed in by SMS), a staff session, or a platform token
(`Authorization: Bearer <token>`, matched by keyed hash against the platform's stored hash).
"""

from datetime import date
from typing import cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.security import APIKeyCookie, HttpBearer, django_auth

from waystation.accounts.access import AuthenticatedHttpRequest
from waystation.accounts.models import Platform
from waystation.core.idempotency import idempotent
from waystation.members.middleware import MemberRequest
from waystation.members.models import Member
from waystation.privacy.crypto import keyed_hash

from . import services
from .access import claim_details_visible, claims_visible_to
from .benefits import yuan
from .forms import ClaimReportForm
from .models import Claim
from .services import ClaimStateError

router = Router(tags=["aid"])


class PlatformToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Platform | None:
        if not token:
            return None
        return Platform.objects.filter(api_token_hash=keyed_hash(token)).first()


class MemberSession(APIKeyCookie):
    """A member signed in by SMS code (session cookie; CSRF checked on writes)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Member | None:
        return cast(MemberRequest, request).member or None


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


class DetailOut(Schema):
    detail: str


class ClaimIn(Schema):
    enrolment: int
    incident_type: str
    incident_date: date
    incident_place: str
    description: str
    platform: str = ""
    asks: dict[str, dict[str, int]] = {}  # {"medical": {"amount": fen}, "hospital": {"days": n}}
    bank_name: str
    account_name: str = ""
    bank_card: str


class LineOut(Schema):
    code: str
    label: str
    amount: int
    text: str


class PayoutOut(Schema):
    id: int
    amount_fen: int
    status: str


class ClaimOut(Schema):
    number: str
    status: str
    status_display: str
    status_note: str
    plan: str
    incident_type: str
    incident_date: date
    platform: str | None
    platform_status: str
    missing_documents: list[str]
    bank_card: str  # masked
    payable_lines: list[LineOut]
    approved_fen: int | None
    approved_display: str | None
    payout: PayoutOut | None


class LiaisonClaimOut(Schema):
    """What a platform needs to confirm on-duty status: who, when, where. No bank details, no
    description, no amounts."""

    number: str
    name: str
    incident_date: date
    incident_place: str
    platform: str
    platform_status: str
    platform_note: str


class ConfirmIn(Schema):
    working: bool
    note: str = ""


class ApproveIn(Schema):
    override_fen: int | None = None
    override_reason: str = ""


class ApproveOut(Schema):
    claim: ClaimOut
    payout: PayoutOut | None  # None: an override waits for a second city approver (202)


def claim_out(claim: Claim) -> dict:
    live = claim.payouts.exclude(status="failed").first()
    lines = claim.payable_lines or (
        claim.payable_amount().as_dict()["lines"] if claim.status != Claim.Status.REJECTED else []
    )
    return {
        "number": claim.number,
        "status": claim.status,
        "status_display": claim.get_status_display(),
        "status_note": claim.status_note,
        "plan": str(claim.enrolment.plan),
        "incident_type": claim.incident_type,
        "incident_date": claim.incident_date,
        "platform": claim.platform.code if claim.platform else None,
        "platform_status": claim.platform_status,
        "missing_documents": claim.missing_documents(),
        "bank_card": claim.bank_card_masked,
        "payable_lines": lines,
        "approved_fen": claim.approved_fen,
        "approved_display": yuan(claim.approved_fen) if claim.approved_fen is not None else None,
        "payout": (
            {"id": live.pk, "amount_fen": live.amount_fen, "status": live.status} if live else None
        ),
    }


def liaison_claim_out(claim: Claim) -> dict:
    return {
        "number": claim.number,
        "name": claim.member.name,
        "incident_date": claim.incident_date,
        "incident_place": claim.incident_place,
        "platform": claim.platform.code if claim.platform else "",
        "platform_status": claim.platform_status,
        "platform_note": claim.platform_note,
    }


def _claims_for(request: HttpRequest) -> QuerySet[Claim]:
    member = getattr(request, "member", None)
    if member:
        return Claim.objects.filter(member=member)
    if request.user.is_authenticated:
        return claims_visible_to(request.user)
    return Claim.objects.none()


def _get(qs: QuerySet[Claim], number: str) -> Claim:
    claim = qs.select_related("enrolment__plan", "platform", "member").filter(number=number).first()
    if claim is None:
        raise Http404
    return claim


@router.post(
    "/aid/claims",
    auth=MemberSession(),
    response={201: ClaimOut, 400: ErrorsOut, 401: DetailOut},
    summary="会员报案（会员登录）",
)
def claim_create(request: HttpRequest, payload: ClaimIn) -> Status[dict]:
    member: Member = request.auth  # type: ignore[attr-defined]  # put there by MemberSession
    report = ClaimReportForm(payload.dict(), member=member).checked()
    claim = services.claim_report(member=member, report=report)
    return Status(201, claim_out(claim))


@router.get(
    "/aid/claims/{number}",
    auth=[MemberSession(), django_auth],
    response={200: ClaimOut | LiaisonClaimOut, 401: DetailOut, 404: DetailOut},
    summary="理赔详情（申请人本人或有权限的工作人员；平台联络员仅见姓名、事故日期和地点）",
)
def claim_get(request: HttpRequest, number: str) -> Status[dict]:
    claim = _get(_claims_for(request), number)
    if getattr(request, "member", None) or claim_details_visible(request.user, claim):
        return Status(200, claim_out(claim))
    return Status(200, liaison_claim_out(claim))


@router.post(
    "/aid/claims/{number}/platform-confirmation",
    auth=PlatformToken(),
    response={200: LiaisonClaimOut, 400: ErrorsOut, 404: DetailOut, 409: DetailOut},
    summary="平台确认事故时是否在岗（平台令牌）",
)
def platform_confirmation(request: HttpRequest, number: str, payload: ConfirmIn) -> Status[dict]:
    platform: Platform = request.auth  # type: ignore[attr-defined]  # put there by PlatformToken
    claim = _get(Claim.objects.filter(platform=platform), number)
    try:
        claim = services.claim_platform_confirm(
            claim=claim,
            platform=platform,
            working=payload.working,
            note=payload.note,
            actor=platform,
        )
    except ClaimStateError as exc:
        return Status(409, {"detail": exc.messages[0]})
    return Status(200, liaison_claim_out(claim))


@router.post(
    "/aid/claims/{number}/approve",
    auth=django_auth,
    response={
        200: ApproveOut,
        202: ApproveOut,
        400: ErrorsOut,
        401: DetailOut,
        404: DetailOut,
        409: DetailOut,
    },
    summary="市级审批并生成付款（需 Idempotency-Key；重复请求返回同一结果；超过阈值的调整金额"
    "返回 202，待另一位市级审批人在工作台复核后生成付款）",
)
@idempotent("aid.claim_approve")
def claim_approve(
    request: AuthenticatedHttpRequest, number: str, payload: ApproveIn
) -> Status[dict]:
    claim = _get(claims_visible_to(request.user), number)
    try:
        payout = services.claim_approve(
            claim=claim,
            actor=request.user,
            override_fen=payload.override_fen,
            override_reason=payload.override_reason,
        )
    except ClaimStateError as exc:
        return Status(409, {"detail": exc.messages[0]})
    claim.refresh_from_db()
    return Status(
        200 if payout is not None else 202,
        {
            "claim": claim_out(claim),
            "payout": None
            if payout is None
            else {"id": payout.pk, "amount_fen": payout.amount_fen, "status": payout.status},
        },
    )

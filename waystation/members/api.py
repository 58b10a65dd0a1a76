from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.security import django_auth

from waystation.accounts.access import scope_of
from waystation.core.net import client_ip

from . import services
from .access import member_for_staff

router = Router(tags=["members"])


class JoinDraftIn(Schema):
    """A join's fields other than the phone, the code and the consent."""

    campaign: str
    name: str
    id_number: str
    industry: str
    platform: str | list[str] = []
    district: str


class SmsSendIn(Schema):
    phone: str
    purpose: str = "join"
    join: JoinDraftIn | None = None  # purpose "join": check these before sending


class JoinIn(JoinDraftIn):
    phone: str
    sms_code: str
    consent_version: str


class JoinOut(Schema):
    member_number: str
    status: str
    card_url: str
    created: bool


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


class DetailOut(Schema):
    detail: str


class SmsSentOut(Schema):
    detail: str
    resend_after: int  # seconds until another code may be requested


class RateLimitedOut(Schema):
    errors: dict[str, list[str]]
    retry_after: int  # seconds, also in the Retry-After header


class MemberOut(Schema):
    member_number: str
    name: str
    id_number: str  # always masked
    phone: str  # always masked
    gender: str
    birth_year: int
    city: str  # adcode
    union: str
    industry: str
    work_district: str
    platforms: list[str]
    status: str
    channel: str
    joined_at: str


@router.post(
    "/sms/send",
    response={202: SmsSentOut, 400: ErrorsOut, 429: RateLimitedOut},
    summary="发送短信验证码",
)
def sms_send(request: HttpRequest, payload: SmsSendIn) -> Status[dict]:
    """With `join` (the join page's other fields) a join code is sent only once they are all
    valid, and their errors come back like those of `POST /join`."""
    ip = client_ip(request)
    if payload.join is not None and payload.purpose == "join":
        data = {**payload.join.dict(), "phone": payload.phone}
        wait = services.join_code_send(data=data, ip=ip)
    else:
        wait = services.code_send(phone=payload.phone, purpose=payload.purpose, ip=ip)
    return Status(202, {"detail": "验证码已发送", "resend_after": wait})


@router.post(
    "/join",
    response={200: JoinOut, 201: JoinOut, 400: ErrorsOut, 429: RateLimitedOut},
    summary="扫码入会",
)
def join(request: HttpRequest, payload: JoinIn) -> Status[dict]:
    data = payload.dict()
    result = services.member_join(data=data, ip=client_ip(request))
    m = result.member
    body = {
        "member_number": m.member_number,
        "status": m.status,
        "card_url": request.build_absolute_uri(reverse("members:card")),
        "created": result.created,
    }
    return Status(201 if result.created else 200, body)


@router.get(
    "/members/{member_number}",
    response={200: MemberOut, 404: DetailOut},
    auth=django_auth,
    summary="会员信息（工作人员；敏感字段始终脱敏）",
)
def member_get(request: HttpRequest, member_number: str) -> Status[dict]:
    if not scope_of(request.user).is_union_staff:
        return Status(404, {"detail": "未找到 (not found)"})
    m = member_for_staff(request.user, member_number)
    return Status(
        200,
        {
            "member_number": m.member_number,
            "name": m.name,
            "id_number": m.id_number_masked,
            "phone": m.phone_masked,
            "gender": m.gender,
            "birth_year": m.birth_date.year,
            "city": m.city.adcode,
            "union": m.union.name,
            "industry": m.industry_id,
            "work_district": m.work_district_id,
            "platforms": [p.code for p in m.platforms.all()],
            "status": m.status,
            "channel": m.channel,
            "joined_at": m.joined_at.isoformat(),
        },
    )

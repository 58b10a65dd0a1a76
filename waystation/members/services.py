"""Writes for members: joining, status changes, transfers, reveals, the export. Each audited."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.access import NotInScope
from waystation.accounts.models import OrgUnit, Platform
from waystation.accounts.orgs import DISTRICT_NAMES, INDUSTRY_NAMES
from waystation.accounts.cities import industry_union
from waystation.core.models import counter_take
from waystation.privacy import crypto
from waystation.privacy.audit import AuditAction, audit_record
from waystation.privacy.masking import mask_id_number, mask_phone

from . import selectors, sms
from .access import can_manage_member, can_reveal_personal_data
from .exports import xlsx_bytes
from .models import Campaign, Member
from .validators import clean_id_number, clean_name, clean_phone, id_birth_date, id_gender

NUMBER_PREFIX = "CZ"


def member_numbers(n: int) -> list[str]:
    return [f"{NUMBER_PREFIX}{i:08d}" for i in counter_take("member_number", n)]


@dataclass
class JoinResult:
    member: Member
    created: bool


def _existing(member: Member, phone_hash: str) -> JoinResult:
    """A join by the ID number of an existing member. The SMS code proved the typed phone, not
    the ID number: with another phone than the member's the answer names neither the member
    nor their status, and reads the same for an active, lapsed or withdrawn one. (That a join
    which creates a member answers otherwise can't be helped; each probe costs a code sent to
    a phone the prober holds, within the SMS limits.)"""
    if member.phone_hash != phone_hash:
        raise ValidationError({"id_number": [_("如已入会，请用入会手机号登录")]}, code="not_own")
    return JoinResult(member, False)


def member_fields(*, name: str, id_number: str, phone: str) -> dict:
    """Model fields for personal data: encrypted, hashed and masked. Inputs already clean."""
    return {
        "name": name,
        "id_number_enc": crypto.encrypt(id_number),
        "id_number_hash": crypto.keyed_hash(id_number),
        "id_number_masked": mask_id_number(id_number),
        "phone_enc": crypto.encrypt(phone),
        "phone_hash": crypto.keyed_hash(phone),
        "phone_masked": mask_phone(phone),
        "birth_date": id_birth_date(id_number),
        "gender": id_gender(id_number),
    }


def clean_join_input(data: dict, *, today: date | None = None, consent: bool = True) -> dict:
    """Validate every field of a join; raise one ValidationError naming each bad field.
    `consent=False` leaves out the consent, which is given on submitting (not yet when asking
    for the code)."""
    errors: dict[str, list[str]] = {}
    out: dict = {}
    for field, cleaner in (("name", clean_name), ("phone", clean_phone)):
        try:
            out[field] = cleaner(data.get(field, ""))
        except ValidationError as e:
            errors[field] = e.messages
    try:
        out["id_number"] = clean_id_number(data.get("id_number", ""), today=today)
    except ValidationError as e:
        errors["id_number"] = e.messages
    industry = data.get("industry") or ""
    if industry not in INDUSTRY_NAMES:
        errors["industry"] = ["请选择所在行业"]
    out["industry"] = industry
    district = data.get("district") or ""
    if district not in DISTRICT_NAMES:
        errors["district"] = ["请选择工作所在区域"]
    out["district"] = district
    codes = data.get("platforms") or data.get("platform") or []
    if isinstance(codes, str):
        codes = codes.split(",")
    codes = [c for c in codes if c]
    platforms = list(Platform.objects.filter(code__in=codes))
    if len(platforms) != len(set(codes)):
        errors["platform"] = ["平台选择无效"]
    out["platforms"] = platforms
    version = data.get("consent_version") or ""
    if consent and not version:
        errors["consent_version"] = [_("请阅读并同意个人信息保护告知书")]
    elif consent and version != settings.PRIVACY_NOTICE_VERSION:
        errors["consent_version"] = [_("请阅读并同意最新版本的个人信息保护告知书")]
    campaign = Campaign.objects.filter(code=data.get("campaign") or "", active=True).first()
    if campaign is None:
        errors["campaign"] = ["入会活动不存在或已结束"]
    out["campaign"] = campaign
    if errors:
        raise ValidationError(errors)
    return out


def _phone_field(raw: str) -> str:
    try:
        return clean_phone(raw)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc


# No actor: anybody may ask for a code to their phone (rate-limited in sms.py).
def code_send(*, phone: str, purpose: str, ip: str | None = None) -> int:
    """An SMS code for `phone` as typed; returns the seconds until another may be requested."""
    return sms.sms_send(phone=_phone_field(phone), purpose=purpose, ip=ip)


# No actor: a person joining is not signed in; the code proves the phone.
def join_code_send(*, data: dict, ip: str | None = None) -> int:
    """The SMS code of a join, sent only when every other field of the join is valid already
    (a person should not wait for a code and then learn that the ID number was mistyped).
    Returns the seconds until another code may be requested."""
    clean = clean_join_input(data, consent=False)
    return sms.sms_send(phone=clean["phone"], purpose="join", ip=ip)


# No actor: the person joins themselves, shown by their phone's code.
def member_join(*, data: dict, ip: str | None = None) -> JoinResult:
    """Scan-to-join: validate, check the SMS code, then create the member (or find the existing
    one by ID number). Nothing is written unless everything is valid."""
    clean = clean_join_input(data)
    sms.sms_verify(phone=clean["phone"], purpose="join", code=data.get("sms_code", ""), ip=ip)
    id_hash = crypto.keyed_hash(clean["id_number"])
    phone_hash = crypto.keyed_hash(clean["phone"])
    existing = Member.objects.filter(id_number_hash=id_hash).first()
    if existing is not None:
        return _existing(existing, phone_hash)
    try:
        with transaction.atomic():
            member = Member.objects.create(
                member_number=member_numbers(1)[0],
                **member_fields(
                    name=clean["name"], id_number=clean["id_number"], phone=clean["phone"]
                ),
                industry=clean["industry"],
                work_district=clean["district"],
                union=industry_union(clean["campaign"].unit.city_id, clean["industry"]),
                channel=Member.Channel.SCAN,
                campaign=clean["campaign"],
                consent_version=settings.PRIVACY_NOTICE_VERSION,
                consent_at=timezone.now(),
            )
            member.platforms.set(clean["platforms"])
            audit_record(
                action=AuditAction.MEMBER_JOIN,
                actor_label=member.member_number,
                obj=member,
                detail={"campaign": clean["campaign"].code},
            )
    except IntegrityError:  # the same person, joining twice at the same moment
        return _existing(Member.objects.get(id_number_hash=id_hash), phone_hash)
    return JoinResult(member, True)


def member_by_phone(phone: str) -> Member | None:
    return (
        Member.objects.filter(phone_hash=crypto.keyed_hash(phone))
        .exclude(status=Member.Status.WITHDRAWN)
        .order_by("-joined_at")
        .first()
    )


# No actor: the member signs in, shown by their phone's code.
def member_login(*, phone: str, code: str, ip: str | None = None) -> Member:
    phone = _phone_field(phone)
    sms.sms_verify(phone=phone, purpose="login", code=code, ip=ip)
    member = member_by_phone(phone)
    if member is None:
        raise ValidationError({"phone": ["该手机号尚未入会，请先扫码入会"]})
    return member


# No actor: only the campaign_default command and the demo loader (no page changes it).
@transaction.atomic
def campaign_set_default(*, campaign: Campaign) -> Campaign:
    """Make `campaign` the city's standing way to join (the one before it stops being so)."""
    if not campaign.active:
        raise ValidationError({"campaign": [_("已结束的活动不能设为默认入会渠道")]})
    Campaign.objects.filter(is_default=True).exclude(pk=campaign.pk).update(is_default=False)
    if not campaign.is_default:
        campaign.is_default = True
        campaign.save(update_fields=["is_default"])
    return campaign


def _check_manager(actor: User, member: Member) -> None:
    """Status, transfer, personal data: union staff with the member in scope, whoever calls."""
    if not can_manage_member(actor, member):
        raise NotInScope


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": ["请填写理由"]})
    return reason


@transaction.atomic
def member_set_status(*, member: Member, status: str, reason: str, actor: User) -> Member:
    _check_manager(actor, member)
    reason = _require_reason(reason)
    if status not in (Member.Status.ACTIVE, Member.Status.LAPSED, Member.Status.WITHDRAWN):
        raise ValidationError({"status": ["状态无效"]})
    if member.status == status:
        return member
    if member.status == Member.Status.WITHDRAWN:
        raise ValidationError({"status": ["已退会的会员不能再变更状态，请重新入会"]})
    old = member.status
    member.status = status
    member.status_reason = reason
    member.status_changed_at = timezone.now()
    member.save(update_fields=["status", "status_reason", "status_changed_at"])
    audit_record(
        action=AuditAction(f"member.{status}"),  # MEMBER_ACTIVE, _LAPSED, _WITHDRAWN
        actor=actor,
        obj=member,
        reason=reason,
        detail={"from": old, "to": status},
    )
    return member


@transaction.atomic
def member_transfer(*, member: Member, union: OrgUnit, reason: str, actor: User) -> Member:
    _check_manager(actor, member)
    reason = _require_reason(reason)
    if union.pk == member.union_id:
        raise ValidationError({"union": ["会员已在该工会"]})
    old = member.union
    member.union = union
    fields = ["union"]
    if union.industry:
        member.industry = union.industry
        fields.append("industry")
    if union.district:
        member.work_district = union.district
        fields.append("work_district")
    member.save(update_fields=fields)
    audit_record(
        action=AuditAction.MEMBER_TRANSFER,
        actor=actor,
        obj=member,
        reason=reason,
        detail={"from": old.code, "to": union.code},
    )
    return member


def member_reveal(*, member: Member, fields: list[str], reason: str, actor: User) -> dict:
    """The full ID number and/or phone, for a permitted role, with a reason, audited."""
    if not can_reveal_personal_data(actor):
        raise NotInScope
    _check_manager(actor, member)
    reason = _require_reason(reason)
    allowed = {"id_number", "phone"}
    fields = [f for f in fields if f in allowed] or sorted(allowed)
    values = {f: getattr(member, f) for f in fields}
    audit_record(
        action=AuditAction.MEMBER_REVEAL,
        actor=actor,
        obj=member,
        reason=reason,
        detail={"fields": fields, "member_number": member.member_number},
    )
    return values


EXPORT_HEADER = [
    "会员号",
    "姓名",
    "身份证号",
    "手机号",
    "工会",
    "行业",
    "区域",
    "平台",
    "状态",
    "渠道",
    "入会日期",
]


def member_export(*, actor: User, params: Mapping[str, str]) -> bytes:
    """The members the actor sees, filtered as on the list, as a workbook (ID number and phone
    masked); audited with the filters (never the searched phone or ID) and the row count."""
    qs = selectors.members_filtered(actor, params).prefetch_related("platforms")
    count = 0

    def rows() -> Iterator[list]:
        nonlocal count
        for m in qs.iterator(chunk_size=2000):
            count += 1
            yield [
                m.member_number,
                m.name,
                m.id_number_masked,
                m.phone_masked,
                m.union.name,
                m.get_industry_display(),
                m.get_work_district_display(),
                "、".join(p.name for p in m.platforms.all()),
                m.get_status_display(),
                m.get_channel_display(),
                timezone.localtime(m.joined_at).strftime("%Y-%m-%d"),
            ]

    data = xlsx_bytes(EXPORT_HEADER, rows(), title="会员")
    audit_record(
        action=AuditAction.MEMBER_EXPORT,
        actor=actor,
        object_type="members.member",
        detail={"filters": {k: v for k, v in params.items() if k != "q"}, "count": count},
    )
    return data

"""Writes for members: joining, status changes, transfers, reveals, the export. Each audited.

A member joins in the city of the campaign they scanned and belongs to one city at a time; the
ID number is unique nationally (its keyed hash), so joining in a second city is refused, and
moving is a transfer (`member_transfer`), which keeps the history (MemberTransfer)."""

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
from waystation.accounts.cities import industry_union
from waystation.accounts.models import City, District, Industry, OrgUnit, Platform
from waystation.core.models import counter_take
from waystation.privacy import crypto
from waystation.privacy.audit import AuditAction, audit_record
from waystation.privacy.masking import mask_id_number, mask_phone

from . import selectors, sms
from .access import can_manage_member, can_reveal_personal_data, units_in_scope
from .exports import xlsx_bytes
from .models import Campaign, Member, MemberTransfer, name_hash
from .validators import clean_id_number, clean_name, clean_phone, id_birth_date, id_gender

NUMBER_PREFIX = "CZ"


def member_numbers(n: int) -> list[str]:
    return [f"{NUMBER_PREFIX}{i:08d}" for i in counter_take("member_number", n)]


@dataclass
class JoinResult:
    member: Member
    created: bool


def _existing(member: Member, phone_hash: str, campaign: Campaign) -> JoinResult:
    """A join by the ID number of an existing member. The SMS code proved the typed phone, not
    the ID number: with another phone than the member's the answer names neither the member
    nor their status nor their city, and reads the same for an active, lapsed or withdrawn one.
    (That a join which creates a member answers otherwise can't be helped; each probe costs a
    code sent to a phone the prober holds, within the SMS limits.) With the member's own phone
    in another city than the campaign's, the answer says only that, and nothing changes: the
    page of one city shows nothing of another's member (moving is a transfer)."""
    if member.phone_hash != phone_hash:
        raise ValidationError({"id_number": [_("如已入会，请用入会手机号登录")]}, code="not_own")
    if member.city_id != campaign.city_id:
        raise ValidationError(
            {"id_number": [_("已在其他城市入会，请联系工会办理转会")]}, code="other_city"
        )
    return JoinResult(member, False)


def member_fields(*, name: str, id_number: str, phone: str) -> dict:
    """Model fields for personal data: encrypted, hashed and masked. Inputs already clean."""
    return {
        "name": name,
        "name_hash": name_hash(name),
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
    campaign = (
        Campaign.objects.filter(code=data.get("campaign") or "", active=True)
        .select_related("unit", "city")
        .first()
    )
    if campaign is None:
        errors["campaign"] = [_("入会活动不存在或已结束")]
    out["campaign"] = campaign
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
    if not isinstance(industry, str) or not Industry.objects.filter(code=industry).exists():
        errors["industry"] = [_("请选择所在行业")]
    out["industry"] = industry
    # A district of the campaign's city (without a campaign: of any city, to say what is wrong).
    district = data.get("district") or ""
    if not isinstance(district, str) or not district:
        errors["district"] = [_("请选择工作所在区域")]
    else:
        districts = District.objects.filter(code=district)
        if campaign is not None:
            districts = districts.filter(city_id=campaign.city_id)
        if not districts.exists():
            errors["district"] = [_("请选择工作所在区域")]
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
    if errors:
        raise ValidationError(errors)
    return out


def _phone_field(raw: str) -> str:
    try:
        return clean_phone(raw)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc


def _sign_for(phone: str) -> str:
    """The signature of a code sent without a campaign in hand (signing in): the city of the
    phone's member, else the city of the standing campaign. The text goes to that phone only,
    so it tells nobody else where its member belongs."""
    member = member_by_phone(phone)
    if member is not None:
        return member.city.sms_signature
    campaign = selectors.default_campaign()
    city = campaign.city if campaign is not None else City.objects.order_by("created_at").first()
    return city.sms_signature if city is not None else ""


# No actor: anybody may ask for a code to their phone (rate-limited in sms.py).
def code_send(*, phone: str, purpose: str, ip: str | None = None) -> int:
    """An SMS code for `phone` as typed; returns the seconds until another may be requested."""
    phone = _phone_field(phone)
    return sms.sms_send(phone=phone, purpose=purpose, sign=_sign_for(phone), ip=ip)


# No actor: a person joining is not signed in; the code proves the phone.
def join_code_send(*, data: dict, ip: str | None = None) -> int:
    """The SMS code of a join, sent only when every other field of the join is valid already
    (a person should not wait for a code and then learn that the ID number was mistyped).
    Returns the seconds until another code may be requested."""
    clean = clean_join_input(data, consent=False)
    sign = clean["campaign"].city.sms_signature
    return sms.sms_send(phone=clean["phone"], purpose="join", sign=sign, ip=ip)


# No actor: the person joins themselves, shown by their phone's code.
def member_join(*, data: dict, ip: str | None = None) -> JoinResult:
    """Scan-to-join: validate, check the SMS code, then create the member in the campaign's city
    (or find the existing one by ID number). Nothing is written unless everything is valid."""
    clean = clean_join_input(data)
    campaign: Campaign = clean["campaign"]
    sms.sms_verify(phone=clean["phone"], purpose="join", code=data.get("sms_code", ""), ip=ip)
    id_hash = crypto.keyed_hash(clean["id_number"])
    phone_hash = crypto.keyed_hash(clean["phone"])
    existing = Member.objects.filter(id_number_hash=id_hash).first()
    if existing is not None:
        return _existing(existing, phone_hash, campaign)
    try:
        with transaction.atomic():
            member = Member.objects.create(
                member_number=member_numbers(1)[0],
                **member_fields(
                    name=clean["name"], id_number=clean["id_number"], phone=clean["phone"]
                ),
                city_id=campaign.city_id,
                industry_id=clean["industry"],
                work_district_id=clean["district"],
                union=industry_union(campaign.city_id, clean["industry"]),
                channel=Member.Channel.SCAN,
                campaign=campaign,
                consent_version=settings.PRIVACY_NOTICE_VERSION,
                consent_at=timezone.now(),
            )
            member.platforms.set(clean["platforms"])
            audit_record(
                action=AuditAction.MEMBER_JOIN,
                actor_label=member.member_number,
                obj=member,
                detail={"campaign": campaign.code},
            )
    except IntegrityError:  # the same person, joining twice at the same moment
        return _existing(Member.objects.get(id_number_hash=id_hash), phone_hash, campaign)
    return JoinResult(member, True)


def member_by_phone(phone: str) -> Member | None:
    return (
        Member.objects.filter(phone_hash=crypto.keyed_hash(phone))
        .select_related("city")
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
    """Make `campaign` its city's standing way to join (the city's one before it stops being
    so; other cities' are theirs)."""
    if not campaign.active:
        raise ValidationError({"campaign": [_("已结束的活动不能设为默认入会渠道")]})
    Campaign.objects.filter(is_default=True, city_id=campaign.city_id).exclude(
        pk=campaign.pk
    ).update(is_default=False)
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


def _transfer_district(member: Member, union: OrgUnit, district: District | None) -> str:
    """The member's work district after a transfer to `union`: a district union's own; else the
    one chosen, which must lie in the union's city; else the member's, within the same city."""
    if union.district_id is not None:
        if district is not None and district.code != union.district_id:
            raise ValidationError({"district": [_("转入区总工会时，工作区域为该区")]})
        return union.district_id
    if district is not None:
        if district.city_id != union.city_id:
            raise ValidationError({"district": [_("工作区域不在转入工会所在的城市")]})
        return district.code
    if member.city_id != union.city_id:
        raise ValidationError({"district": [_("转往其他城市，请选择会员在该城市的工作区域")]})
    return member.work_district_id


@transaction.atomic
def member_transfer(
    *,
    member: Member,
    union: OrgUnit,
    reason: str,
    actor: User,
    district: District | None = None,
) -> Member:
    """Move a member to another union, of their city or of another one. The sending side acts:
    union staff who see the member, whoever calls. The member's city becomes the union's, so
    afterwards the receiving city's staff see the member and the sending city's no longer do;
    the work district follows (`_transfer_district`), and an industry union's industry becomes
    the member's. Recorded in the member's history (MemberTransfer: from and to city, union and
    district, who, when, why) and in the audit log of the city the member left."""
    _check_manager(actor, member)
    reason = _require_reason(reason)
    member = Member.objects.select_for_update().select_related("union", "city").get(pk=member.pk)
    if union.pk == member.union_id:
        raise ValidationError({"union": [_("会员已在该工会")]})
    if union.city_id is None:  # a province federation: no member's union
        raise ValidationError({"union": [_("请选择市、区或行业工会")]})
    to_district = _transfer_district(member, union, district)
    old_union, old_city, old_district = member.union, member.city, member.work_district_id
    member.union = union
    member.city_id = union.city_id
    member.work_district_id = to_district
    fields = ["union", "city", "work_district"]
    if union.industry_id is not None:
        member.industry_id = union.industry_id
        fields.append("industry")
    member.save(update_fields=fields)
    MemberTransfer.objects.create(
        member=member,
        actor=actor,
        reason=reason,
        from_city=old_city,
        from_unit=old_union,
        from_district_id=old_district,
        to_city_id=union.city_id,
        to_unit=union,
        to_district_id=to_district,
    )
    to_city = old_city if union.city_id == old_city.pk else City.objects.get(pk=union.city_id)
    audit_record(
        action=AuditAction.MEMBER_TRANSFER,
        actor=actor,
        obj=member,
        city_id=old_city.pk,
        reason=reason,
        detail={
            "from": old_union.code,
            "to": union.code,
            "from_city": old_city.adcode,
            "to_city": to_city.adcode,
        },
    )
    return member


@transaction.atomic
def campaign_create(
    *, actor: User, code: str, name: str, owner_kind: str, place: str, unit: OrgUnit
) -> Campaign:
    """A campaign of a union the actor's scope covers, in that union's city."""
    if not units_in_scope(actor).filter(pk=unit.pk).exists():
        raise NotInScope
    if Campaign.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("活动代码已被使用")]})
    assert unit.city_id is not None  # units in scope are a city's
    return Campaign.objects.create(
        code=code, name=name, owner_kind=owner_kind, place=place, unit=unit, city_id=unit.city_id
    )


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
    "城市",
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
    qs = (
        selectors.members_filtered(actor, params)
        .select_related("city", "industry")
        .prefetch_related("platforms")
    )
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
                m.city.name,
                m.union.name,
                m.industry.name,
                m.work_district.name,
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

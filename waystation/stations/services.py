"""Writes for stations: the registry, hours and closures, posters, photos, fault reports
(check-ins are in checkins.py).

A new station's city is its district's: the district chosen, or else the one its location lies
in within the city the actor works in. A station stays in its city: an edit may move it to
another district of the same city only. Rows of a station (closures, photos, reports) take its
city."""

from __future__ import annotations

import logging
import math
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.access import NotInScope, scope_of
from waystation.accounts.models import City
from waystation.geo.datums import DatumError, to_wgs84
from waystation.members.validators import clean_phone
from waystation.privacy import crypto
from waystation.privacy.audit import AuditAction, audit_record
from waystation.privacy.masking import mask_phone

from . import index
from .access import can_keep_station, can_manage_station
from .catalogue import catalogue, catalogue_checked
from .hours import parse_day, parse_week, week_to_json
from .locate import CityDistricts, district_at
from .models import FaultReport, RegistryVersion, Station, StationException, StationPhoto
from .uploads import image_path, image_store

if TYPE_CHECKING:
    from waystation.members.models import Member

log = logging.getLogger(__name__)

# Fields a keeper may change; union staff over the station may change all of them.
KEEPER_FIELDS = frozenset({"weekly_hours", "is_24h", "services", "status", "capacity"})
KEEPER_STATUSES = frozenset({Station.Status.OPEN, Station.Status.TEMP_CLOSED})
STATION_FIELDS = frozenset(
    {
        "name",
        "address",
        "district",
        "host",
        "capacity",
        "contact_name",
        "contact_phone",
        "is_model",
        "project_year",
        "status",
        "weekly_hours",
        "is_24h",
        "services",
    }
)


def registry_touch() -> None:
    """Mark the registry changed: this process's next nearest query starts the index rebuild
    (other processes see the new stamp within a second). Saves and deletes call it through
    signals (signals.py); bulk writes must call it themselves."""
    RegistryVersion.objects.update_or_create(pk=1, defaults={"stamp": secrets.randbits(62) or 1})
    index.mark_dirty()
    transaction.on_commit(index.mark_dirty)  # a query before the commit still saw the old stamp


# --- cleaning ----------------------------------------------------------------------------------


def clean_location(lon: Any, lat: Any, datum: str = "wgs84") -> tuple[float, float]:
    """WGS-84 (lon, lat) from coordinates in `datum`; ValidationError naming the bad field."""
    values = []
    for name, value in (("lon", lon), ("lat", lat)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError({name: ["坐标应为数字 (must be a number)"]}) from None
        if not math.isfinite(number):
            raise ValidationError({name: ["坐标不能为空值或无穷大 (NaN or infinity)"]})
        values.append(number)
    if not -180 <= values[0] <= 180:
        raise ValidationError({"lon": ["经度应在 -180 到 180 之间 (longitude out of range)"]})
    if not -90 <= values[1] <= 90:
        raise ValidationError({"lat": ["纬度应在 -90 到 90 之间 (latitude out of range)"]})
    if datum == "wgs84":
        return values[0], values[1]
    try:
        w_lon, w_lat = to_wgs84(values[0], values[1], datum)
    except DatumError as exc:
        field = "datum" if "datum" in str(exc) else "lon"
        raise ValidationError({field: [str(exc)]}) from exc
    return float(w_lon), float(w_lat)


def clean_services(codes: Any) -> int:
    if isinstance(codes, str):
        codes = [c for c in codes.split(",") if c.strip()]
    codes = [str(c).strip() for c in codes or []]
    services = catalogue()
    unknown = [c for c in codes if c not in services.bits]
    if unknown:
        raise ValidationError(
            {
                "services": [
                    _("未知服务：%(codes)s (unknown service)") % {"codes": "、".join(unknown)}
                ]
            }
        )
    return services.mask(codes)


def clean_weekly(value: Any) -> list:
    try:
        return week_to_json(parse_week(value))
    except ValueError as exc:
        raise ValidationError({"weekly_hours": [str(exc)]}) from exc


def _new_station_city(actor: User, wanted: str) -> City:
    """The city of a station being registered: the chosen district's, else the city the actor
    works in (NotInScope for an actor without one; a choice of district if several)."""
    if wanted:
        city = _cities().filter(districts__code=wanted).first()
        if city is None:
            raise ValidationError({"district": [_("未知区域 (unknown district)")]})
        return city
    cities = scope_of(actor).home_cities
    if not cities:
        raise NotInScope
    if len(cities) > 1:
        raise ValidationError({"district": [_("请选择驿站所在的区域")]})
    return _cities().get(pk=next(iter(cities)))


def _cities() -> QuerySet[City]:
    return City.objects.only("name")  # not the boundary, a large geometry


def _apply(station: Station, data: dict) -> list[str]:
    changed = []
    for key, value in data.items():
        if key == "services":
            station.services_mask = clean_services(value)
            changed.append("services_mask")
            continue
        if key == "weekly_hours":
            value = clean_weekly(value)
        elif key == "status" and value not in Station.Status.values:
            raise ValidationError({"status": ["状态无效 (invalid status)"]})
        elif key == "host" and value not in Station.Host.values:
            raise ValidationError({"host": ["承办单位类型无效 (invalid host)"]})
        elif key == "name" and not str(value).strip():
            raise ValidationError({"name": ["请填写驿站名称"]})
        setattr(station, key, value)
        changed.append(key)
    return changed


# --- registry ----------------------------------------------------------------------------------


@transaction.atomic
def station_create(
    *, code: str, lon: Any, lat: Any, datum: str = "wgs84", data: dict, actor: User
) -> Station:
    """A new station in the registry, by union staff over the district it stands in."""
    code = (code or "").strip().upper()
    if not code or len(code) > 20 or not all(c.isalnum() or c == "-" for c in code):
        raise ValidationError({"code": ["驿站编号只能包含字母、数字和连字符"]})
    if Station.objects.filter(code=code).exists():
        raise ValidationError({"code": ["驿站编号已存在"]})
    w_lon, w_lat = clean_location(lon, lat, datum)
    unknown = set(data) - STATION_FIELDS
    if unknown:
        raise ValidationError({"__all__": [f"未知字段：{', '.join(sorted(unknown))}"]})
    catalogue_checked()  # the services as they are now, whichever process changed them
    wanted = str(data.get("district") or "")
    city = _new_station_city(actor, wanted)
    station = Station(code=code, lon=w_lon, lat=w_lat, city=city, district_id=wanted)
    if wanted and not can_manage_station(actor, station):
        raise NotInScope  # before the location is looked at: nothing of another's district
    _apply(station, {k: v for k, v in data.items() if k != "district"})
    station.district_id = district_at(
        districts=CityDistricts.of(city), lon=w_lon, lat=w_lat, wanted=wanted
    )
    if not can_manage_station(actor, station):
        raise NotInScope
    station.full_clean(exclude=["keepers", "city", "district"])  # both checked above
    station.save()
    audit_record(action=AuditAction.STATION_CREATE, actor=actor, obj=station, detail={"code": code})
    return station


def _check_keeper(actor: User, station: Station) -> None:
    """Hours, closures, photos, posters, fault reports: the station's keepers and the union staff
    over it, whoever calls the service."""
    if not can_keep_station(actor, station):
        raise NotInScope


@transaction.atomic
def station_update(
    *,
    station: Station,
    data: dict,
    actor: User,
    lon: Any = None,
    lat: Any = None,
    datum: str = "wgs84",
) -> Station:
    """Change a station, as far as the actor may: union staff over it every field; one of its
    keepers only hours, services, capacity and open/temporarily closed; anybody else nothing
    (NotInScope)."""
    if can_manage_station(actor, station):
        keeper_only = False
    elif can_keep_station(actor, station):
        keeper_only = True
    else:
        raise NotInScope
    unknown = set(data) - STATION_FIELDS
    if unknown:
        raise ValidationError({"__all__": [f"未知字段：{', '.join(sorted(unknown))}"]})
    if keeper_only:
        refused = set(data) - KEEPER_FIELDS
        if refused or lon is not None or lat is not None:
            raise ValidationError({"__all__": ["驿站管理员只能修改开放时间、服务和临时闭站"]})
        if "status" in data and (
            data["status"] not in KEEPER_STATUSES or station.status not in KEEPER_STATUSES
        ):
            raise ValidationError({"status": ["驿站管理员只能在开放与暂停开放之间切换"]})
    if "services" in data:
        catalogue_checked()
    changed = _apply(station, {k: v for k, v in data.items() if k != "district"})
    if lon is not None or lat is not None:
        station.lon, station.lat = clean_location(lon, lat, datum)
        changed += ["lon", "lat"]
    if "district" in data or "lon" in changed:
        station.district_id = district_at(
            districts=CityDistricts.of(_cities().get(pk=station.city_id)),
            lon=station.lon,
            lat=station.lat,
            wanted=str(data.get("district") or ""),
        )
        changed.append("district")
        if not can_manage_station(actor, station):
            raise NotInScope  # moved out of the actor's districts
    if not changed:
        return station
    station.full_clean(exclude=["keepers", "city", "district"])
    station.save(update_fields=[*sorted(set(changed)), "updated_at"])
    audit_record(
        action=AuditAction.STATION_UPDATE,
        actor=actor,
        obj=station,
        detail={"fields": sorted(set(changed))},
    )
    return station


@transaction.atomic
def exception_add(
    *,
    station: Station,
    start_date: date,
    end_date: date,
    closed: bool = True,
    hours: Any = None,
    reason: str = "",
    actor: User,
) -> StationException:
    _check_keeper(actor, station)
    if end_date < start_date:
        raise ValidationError({"end_date": ["结束日期不能早于开始日期"]})
    if (end_date - start_date).days > 366:
        raise ValidationError({"end_date": ["例外日期最长一年"]})
    day_hours: list = []
    if not closed:
        try:
            day_hours = week_to_json((parse_day(hours or []),))[0]
        except ValueError as exc:
            raise ValidationError({"hours": [str(exc)]}) from exc
        if not day_hours:
            raise ValidationError({"hours": ["请填写当天的开放时间，或选择闭站"]})
    row = StationException.objects.create(
        station=station,
        city_id=station.city_id,
        start_date=start_date,
        end_date=end_date,
        closed=closed,
        hours=day_hours,
        reason=reason[:100],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return row


@transaction.atomic
def exception_delete(*, exception: StationException, actor: Any) -> None:
    _check_keeper(actor, exception.station)
    exception.delete()


# --- check-in posters -----------------------------------------------------------------------------


@transaction.atomic
def station_poster_reissue(*, station: Station, actor: User) -> Station:
    """Retire the station's printed check-in posters: codes of earlier versions no longer count
    (print the new poster to replace them). An update() without signals on purpose: the version
    is on no map or index, so the registry stays unchanged."""
    _check_keeper(actor, station)
    Station.objects.filter(pk=station.pk).update(poster_version=F("poster_version") + 1)
    station.refresh_from_db(fields=["poster_version"])
    audit_record(
        action=AuditAction.STATION_POSTER_REISSUE,
        actor=actor,
        obj=station,
        detail={"code": station.code, "version": station.poster_version},
    )
    return station


# --- photos ------------------------------------------------------------------------------------

MAX_PHOTOS = 12  # per station: enough for the outside, the rooms and the services


@transaction.atomic
def photo_add(
    *, station: Station, upload: UploadedFile, caption: str = "", actor: User
) -> StationPhoto:
    """Add a public photo of a station: an image by its content, ≤ 5 MB, stored re-encoded
    (upright, ≤ 1600 px, no metadata) under a server-generated name (uploads.py)."""
    _check_keeper(actor, station)
    Station.objects.select_for_update().filter(pk=station.pk).first()  # the count below holds
    if station.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"photo": [f"每个驿站最多 {MAX_PHOTOS} 张照片，请先删除旧照片"]})
    caption = (caption or "").strip()
    if len(caption) > 100:
        raise ValidationError({"caption": ["说明不能超过 100 字"]})
    name, content_type = image_store(upload, public=True)
    photo = StationPhoto.objects.create(
        station=station,
        city_id=station.city_id,
        stored_name=name,
        content_type=content_type,
        caption=caption,
    )
    audit_record(
        action=AuditAction.STATION_PHOTO_ADD,
        actor=actor,
        obj=photo,
        detail={"station": station.code},
    )
    return photo


@transaction.atomic
def photo_delete(*, photo: StationPhoto, actor: User) -> None:
    """Delete a station photo, and its file once the deletion is committed."""
    _check_keeper(actor, photo.station)
    name = photo.stored_name
    audit_record(
        action=AuditAction.STATION_PHOTO_DELETE,
        actor=actor,
        obj=photo,
        detail={"station": photo.station.code},
    )
    photo.delete()
    transaction.on_commit(lambda: image_path(name).unlink(missing_ok=True))


# --- fault reports -----------------------------------------------------------------------------


# No actor on purpose: anybody, signed in or not, may report a fault at a public station.
@transaction.atomic
def report_create(
    *,
    station: Station,
    category: str,
    text: str = "",
    photo: UploadedFile | None = None,
    member: Member | None = None,
    phone: str = "",
) -> FaultReport:
    """A fault report; `phone` (optional) is where the staff's reply goes by SMS."""
    errors: dict[str, list[str]] = {}
    phone = (phone or "").strip()
    if phone:
        try:
            phone = clean_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if category not in FaultReport.Category.values:
        errors["category"] = ["请选择问题类型"]
    text = (text or "").strip()
    if len(text) > 1000:
        errors["text"] = ["说明不能超过 1000 字"]
    if category == FaultReport.Category.FEEDBACK and not text:
        errors["text"] = ["请填写意见建议"]
    if errors:
        raise ValidationError(errors)
    name, content_type = image_store(photo) if photo else ("", "")
    return FaultReport.objects.create(
        station=station,
        city_id=station.city_id,
        category=category,
        text=text,
        photo_name=name,
        photo_type=content_type,
        member=member,
        reporter_phone_enc=crypto.encrypt(phone) if phone else "",
        reporter_phone_masked=mask_phone(phone) if phone else "",
    )


_NEXT: dict[str, set[str]] = {
    FaultReport.Status.OPEN: {FaultReport.Status.ACKNOWLEDGED, FaultReport.Status.RESOLVED},
    FaultReport.Status.ACKNOWLEDGED: {FaultReport.Status.RESOLVED},
    FaultReport.Status.RESOLVED: set(),
}


@transaction.atomic
def report_transition(
    *, report: FaultReport, to: str, actor: User, note: str = "", at: datetime | None = None
) -> FaultReport:
    """open → acknowledged → resolved (an open report may be resolved at once)."""
    report = FaultReport.objects.select_for_update().select_related("station").get(pk=report.pk)
    _check_keeper(actor, report.station)
    if to not in _NEXT.get(report.status, set()):
        raise ValidationError(
            {"status": [f"不能从“{report.get_status_display()}”改为该状态 (invalid transition)"]}
        )
    now = at or timezone.now()
    report.status = to
    fields = ["status", "handled_by"]
    report.handled_by = actor
    if to == FaultReport.Status.ACKNOWLEDGED:
        report.acknowledged_at = now
        fields.append("acknowledged_at")
    if to == FaultReport.Status.RESOLVED:
        report.resolved_at = now
        fields.append("resolved_at")
        if report.acknowledged_at is None:
            report.acknowledged_at = now
            fields.append("acknowledged_at")
    if note:
        report.note = note.strip()[:300]
        fields.append("note")
    report.save(update_fields=fields)
    audit_record(
        action=AuditAction(f"station.report.{to}"),  # STATION_REPORT_ACKNOWLEDGED, _RESOLVED
        actor=actor,
        obj=report,
        detail={"station": report.station_id},
    )
    return report


def report_assignees(station: Station) -> list[User]:
    """Who a report of this station may be assigned to: the people who may keep it (its keepers
    and the union staff over it), among the staff holding a role in its city."""
    users = (
        User.objects.filter(is_active=True, roles__unit__city=station.city_id)
        .distinct()
        .order_by("username")
    )
    return [u for u in users if can_keep_station(u, station)]


@transaction.atomic
def report_assign(*, report: FaultReport, assignee: User | None, actor: User) -> FaultReport:
    """Give a report to a person who may keep its station (None: to nobody)."""
    report = FaultReport.objects.select_for_update().select_related("station").get(pk=report.pk)
    _check_keeper(actor, report.station)
    if assignee is not None and not can_keep_station(assignee, report.station):
        raise ValidationError({"assignee": [_("只能指派给该驿站的管理员或负责该区域的工作人员")]})
    report.assignee = assignee
    report.save(update_fields=["assignee"])
    audit_record(
        action=AuditAction.STATION_REPORT_ASSIGN,
        actor=actor,
        obj=report,
        detail={"station": report.station_id, "assignee": assignee.pk if assignee else None},
    )
    return report


@transaction.atomic
def report_reply(
    *, report: FaultReport, text: str, actor: User, at: datetime | None = None
) -> FaultReport:
    """Reply to the reporter: shown on the member's "我的反馈", and sent by SMS to the phone the
    reporter left, if any (after the commit; a failed send leaves the reply saved)."""
    report = FaultReport.objects.select_for_update().select_related("station").get(pk=report.pk)
    _check_keeper(actor, report.station)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"reply": [_("请填写回复内容")]})
    if len(text) > 500:
        raise ValidationError({"reply": [_("回复不能超过 500 字")]})
    report.reply = text
    report.replied_at = at or timezone.now()
    report.save(update_fields=["reply", "replied_at"])
    audit_record(
        action=AuditAction.STATION_REPORT_REPLY,
        actor=actor,
        obj=report,
        detail={"station": report.station_id, "sms": bool(report.reporter_phone_enc)},
    )
    if report.reporter_phone_enc:
        transaction.on_commit(lambda: _reply_sms(report))
    return report


def _reply_sms(report: FaultReport) -> None:
    """The SMS of a reply, through the site's SMS backend (members.sms), signed for the
    station's city. A provider's refusal is logged, not raised: the reply stands on the page."""
    from waystation.members.sms import SmsSendError, get_backend

    sign = City.objects.values_list("sms_signature", flat=True).get(pk=report.city_id)
    text = _("【%(sign)s】您对“%(station)s”的反馈（编号 %(number)d）有了回复：%(reply)s") % {
        "sign": sign,
        "station": report.station.name,
        "number": report.pk,
        "reply": report.reply[:70],
    }
    try:
        get_backend().send(crypto.decrypt(report.reporter_phone_enc), text, sign=sign)
    except SmsSendError:
        log.warning("stations: the reply SMS of report %s was refused", report.pk)

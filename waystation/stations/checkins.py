"""Check-ins at a station: a visit counts only with proof of being there (the signed code of the
station's own poster, or a shared location near it), once per member or browser per
CHECKIN_DEDUP, and a limited number of anonymous ones per address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.models import Industry
from waystation.geo.distance import haversine_m
from waystation.privacy.crypto import keyed_hash

from .codes import poster_code_check
from .models import Station, Visit
from .services import clean_location

if TYPE_CHECKING:
    from waystation.members.models import Member

CHECKIN_DEDUP = timedelta(minutes=30)
# Anonymous check-ins counted per IP address per station per CHECKIN_DEDUP window; more are not
# recorded. Generous because riders behind one carrier-grade NAT share an address; the point is
# to stop a script inflating a station's figures, not to turn away people.
ANON_CHECKINS_PER_IP = 10


Refusal = Literal["", "no_proof", "far", "code_invalid", "code_retired"]


@dataclass
class CheckinResult:
    visit: Visit | None  # None when not recorded: `limited`, or `refused`
    counted: bool  # False: not recorded, or the same member (browser) checked in within 30 min
    limited: bool = False  # too many anonymous check-ins from this IP here: not recorded
    refused: Refusal = ""  # no proof of being at the station: not recorded
    distance_m: int | None = None  # from the location the phone shared, if it shared one

    @property
    def reason(self) -> str:
        """Why the check-in did not count ("" when it did), for the API."""
        if self.counted:
            return ""
        if self.refused:
            return self.refused
        return "limited" if self.limited else "duplicate"

    @property
    def message(self) -> str:
        if self.counted:
            return _("签到成功")
        if self.refused == "far":
            return _("您距离该驿站约 %(distance)s，未计入到站次数") % {
                "distance": _distance_text(self.distance_m or 0)
            }
        if self.refused == "code_retired":
            return _("该二维码已停用，请扫描驿站现场的新二维码签到")
        if self.refused == "code_invalid":
            return _("二维码无效，请扫描驿站现场的二维码签到")
        if self.refused == "no_proof":
            return _("请扫描驿站现场的二维码签到，或允许获取位置后在驿站附近签到")
        if self.limited:
            return _("谢谢！本驿站近期来自同一网络的签到较多，本次未计入统计")
        return _("您刚刚已签到，30 分钟内重复扫码只记一次")


def _distance_text(metres: int) -> str:
    if metres >= 10_000:
        return _("%(km)d 公里") % {"km": round(metres / 1000)}
    if metres >= 1000:
        return _("%(km).1f 公里") % {"km": metres / 1000}
    return _("%(m)d 米") % {"m": round(metres, -1)}


def anon_checkins_per_ip() -> int:
    return int(getattr(settings, "STATIONS_ANON_CHECKINS_PER_IP", ANON_CHECKINS_PER_IP))


def member_from_card(token: str) -> Member:
    """The member of an e-card token; ValidationError if it is forged, expired or withdrawn."""
    from waystation.members.cards import card_token_read
    from waystation.members.models import Member

    try:
        number = card_token_read(token)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise ValidationError({"card_token": ["会员卡二维码无效或已过期，请刷新后重试"]}) from exc
    member = Member.objects.filter(member_number=number).first()
    if member is None or member.status == Member.Status.WITHDRAWN:
        raise ValidationError({"card_token": ["会员卡无效"]})
    return member


_CODE_REFUSALS: dict[str | None, Refusal] = {"retired": "code_retired", "invalid": "code_invalid"}


def _presence(
    station: Station, poster_code: str, lon: Any, lat: Any, datum: str
) -> tuple[str, Refusal, int | None]:
    """(proof, refusal, distance in metres) of a check-in. The poster's code is proof by itself,
    whatever the location says (phones indoors are often hundreds of metres off, and leaving the
    location out is always possible); otherwise a location within CHECKIN_MAX_DISTANCE_M."""
    check = poster_code_check(station, poster_code) if poster_code else None
    if check == "ok":
        return str(Visit.Proof.CODE), "", None
    if lon is None and lat is None:
        return "", _CODE_REFUSALS.get(check, "no_proof"), None
    w_lon, w_lat = clean_location(lon, lat, datum)
    metres = round(haversine_m(w_lon, w_lat, station.lon, station.lat))
    if metres > settings.CHECKIN_MAX_DISTANCE_M:
        return "", "far", metres
    return str(Visit.Proof.LOCATION), "", metres


# No actor on purpose: anybody at the station checks in (presence is the proof, `_presence`).
@transaction.atomic
def checkin_record(
    *,
    station: Station,
    member: Member | None = None,
    card_token: str = "",
    industry: str = "",
    poster_code: str = "",
    lon: Any = None,
    lat: Any = None,
    datum: str = "wgs84",
    visitor_key: str = "",
    ip: str = "",
    channel: str = "qr",
    at: datetime | None = None,
) -> CheckinResult:
    """Record a visit of a person shown to be at the station: by the code of the station's
    poster (`poster_code`, codes.py), or by a location (`lon`, `lat` in `datum`) at most
    CHECKIN_MAX_DISTANCE_M from it. Without either nothing is recorded and the result says why
    (`refused`): visit figures feed the yearly targets.

    A member (signed in, or by e-card token) is counted once per station per 30 minutes; so is an
    anonymous browser, by its session key. Anonymous check-ins from one IP address beyond
    `anon_checkins_per_ip()` per station per 30 minutes are not recorded (`limited`)."""
    if station.status != Station.Status.OPEN:
        raise ValidationError({"station": [f"该驿站{station.get_status_display()}，暂不能签到"]})
    if card_token and member is None:
        member = member_from_card(card_token)
    if industry and not Industry.objects.filter(code=industry).exists():
        raise ValidationError({"industry": [_("行业选择无效 (unknown industry)")]})
    proof, refused, metres = _presence(station, poster_code, lon, lat, datum)
    if refused:
        return CheckinResult(None, False, refused=refused, distance_m=metres)
    if member is not None:
        industry = member.industry_id  # the code (Member.industry is the Industry row)
    at = at or timezone.now()
    # One check-in at a time per station, so two quick scans cannot both count.
    Station.objects.select_for_update().filter(pk=station.pk).first()
    recent = Visit.objects.filter(station=station, at__gt=at - CHECKIN_DEDUP, at__lte=at)
    if member is not None:
        recent = recent.filter(member=member)
    elif visitor_key:
        recent = recent.filter(member__isnull=True, visitor_key=visitor_key)
    else:
        recent = recent.none()
    previous = recent.order_by("-at").first()
    if previous is not None:
        return CheckinResult(previous, False, distance_m=metres)
    ip_key = keyed_hash("station-visit-ip:" + ip) if ip and member is None else ""
    if ip_key:
        from_ip = Visit.objects.filter(
            station=station,
            member__isnull=True,
            ip_key=ip_key,
            at__gt=at - CHECKIN_DEDUP,
            at__lte=at,
        )
        if from_ip.count() >= anon_checkins_per_ip():
            return CheckinResult(None, False, limited=True, distance_m=metres)
    visit = Visit.objects.create(
        station=station,
        city_id=station.city_id,
        at=at,
        member=member,
        industry_id=industry or None,
        visitor_key="" if member is not None else visitor_key,
        ip_key=ip_key,
        channel=channel,
        proof=proof,
    )
    return CheckinResult(visit, True, distance_m=metres)

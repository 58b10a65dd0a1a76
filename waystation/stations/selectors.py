"""Reads for stations: the nearest stations, the public map layer, staff lists and statistics."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.access import AnyUser
from waystation.geo.datums import DATUMS, from_wgs84

from .access import reports_visible_to, stations_visible_to
from .catalogue import catalogue, catalogue_checked
from .hours import TZ, OpenState
from .index import station_index
from .models import FaultReport, Station, Visit
from .navigation import NavLink, distance_text
from .navigation import navigation_links as _navigation_links
from .services import clean_location

# Travel times are straight-line distance × detour factor at a steady speed (as in planning).
DETOUR_FACTOR = 1.3
WALK_KMH = 5.0
EBIKE_KMH = 15.0
MAX_LIMIT = 50
PUBLIC_STATUSES = (Station.Status.OPEN, Station.Status.TEMP_CLOSED)


def clean_datum(datum: str) -> str:
    key = (datum or "wgs84").strip().lower().replace("-", "").replace("_", "")
    if key not in DATUMS:
        raise ValidationError(
            {"datum": [f"未知坐标系“{datum}”，应为 wgs84、gcj02 或 bd09 (unknown datum)"]}
        )
    return key


def clean_service(service: str) -> str:
    service = (service or "").strip()
    bits = catalogue().bits
    if service and service not in bits:
        raise ValidationError(
            {
                "service": [
                    _("未知服务“%(service)s”，应为 %(known)s 之一")
                    % {"service": service, "known": ", ".join(bits)}
                ]
            }
        )
    return service


def minutes(metres: float, kmh: float) -> int:
    return max(1, math.ceil(metres * DETOUR_FACTOR / (kmh * 1000 / 60)))


class NearestHit(NamedTuple):  # a tuple: made five times per query, cheaper than a dataclass
    code: str
    name: str
    address: str
    distance_m: int
    walk_min: int
    ebike_min: int
    state: OpenState
    services: list[str]
    lon: float  # in the datum asked for
    lat: float
    nav: list[NavLink]  # route planning in the map apps, from the point asked about

    @property
    def distance_text(self) -> str:
        return distance_text(self.distance_m)

    @property
    def open_now(self) -> bool:
        return self.state.open

    @property
    def open_until(self) -> datetime | None:
        return self.state.until

    @property
    def service_names(self) -> list[str]:
        names = catalogue().names
        return [names[c] for c in self.services if c in names]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "address": self.address,
            "distance_m": self.distance_m,
            "distance_text": self.distance_text,
            "walk_min": self.walk_min,
            "ebike_min": self.ebike_min,
            "open_now": self.state.open,
            "open_until": self.state.until.isoformat() if self.state.until else None,
            "open_label": self.state.label,
            "services": self.services,
            "lon": self.lon,
            "lat": self.lat,
            "nav": [{"app": n.app, "label": n.label, "url": n.url} for n in self.nav],
        }


def stations_nearest(
    *,
    lon: Any,
    lat: Any,
    datum: str = "wgs84",
    service: str = "",
    open_now: bool = False,
    limit: int = 5,
    at: datetime | None = None,
    status_open: bool = False,
) -> list[NearestHit]:
    """The `limit` nearest public stations to a point given in `datum`, by great-circle distance,
    with coordinates returned in the same datum. Every city's stations: a rider near a city
    border is sent to the nearest one, whichever city runs it. `status_open`: only stations of
    status "open" (not temporarily closed), whatever their hours."""
    datum = clean_datum(datum)
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise ValidationError({"limit": ["limit 应为整数"]}) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError({"limit": [f"limit 应在 1 到 {MAX_LIMIT} 之间"]})
    w_lon, w_lat = clean_location(lon, lat, datum)
    index = station_index()  # reads the registry stamp, so the service check below is current
    service = clean_service(service)
    services = catalogue()
    rows = index.query(
        w_lon,
        w_lat,
        bit=services.bits.get(service, 0),
        open_now=open_now,
        limit=limit,
        at=at or datetime.now(TZ),
        status_open=status_open,
    )
    if not rows:
        return []
    picked = [row for row, _, _ in rows]
    out_lon, out_lat = index.lon[picked], index.lat[picked]
    # the map apps' datum, for the stations and (last) the point asked about: one conversion
    g_all = from_wgs84(np.append(out_lon, w_lon), np.append(out_lat, w_lat), "gcj02")
    g_lon, g_lat = g_all[0][:-1], g_all[1][:-1]
    origin = (float(g_all[0][-1]), float(g_all[1][-1]))
    if datum == "gcj02":
        out_lon, out_lat = g_lon, g_lat
    elif datum != "wgs84":
        out_lon, out_lat = from_wgs84(out_lon, out_lat, datum)
    return [
        NearestHit(
            code=index.codes[row],
            name=index.names[row],
            address=index.addresses[row],
            distance_m=round(metres),
            walk_min=minutes(metres, WALK_KMH),
            ebike_min=minutes(metres, EBIKE_KMH),
            state=state,
            services=services.codes(mask),
            lon=round(x, 7),
            lat=round(y, 7),
            nav=_navigation_links(gx, gy, index.names[row], origin=origin),
        )
        for (row, metres, state), mask, x, y, gx, gy in zip(
            rows,
            index.mask[picked].tolist(),
            out_lon.tolist(),
            out_lat.tolist(),
            g_lon.tolist(),
            g_lat.tolist(),
            strict=True,
        )
    ]


def station_public(code: str) -> Station | None:
    """A station of any city, as the public pages show it (not planned or being built)."""
    return (
        Station.objects.filter(code=code)
        .exclude(status__in=[Station.Status.PLANNED, Station.Status.BUILDING])
        .select_related("district", "city")
        .defer("district__boundary", "city__boundary")
        .prefetch_related("exceptions", "photos")
        .first()
    )


# --- staff -------------------------------------------------------------------------------------


def stations_filtered(user: AnyUser, params: Any) -> QuerySet:
    services = catalogue_checked()
    qs = stations_visible_to(user)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__iexact=q)
    if params.get("district"):  # a code: the scope above keeps it to the user's cities
        qs = qs.filter(district=params["district"])
    if params.get("status") in Station.Status.values:
        qs = qs.filter(status=params["status"])
    if params.get("service") in services.bits:
        qs = qs.with_service(params["service"])
    return (
        qs.select_related("district")
        .defer("district__boundary")
        .annotate(open_reports=Count("reports", filter=open_reports_q(), distinct=True))
        .order_by("code")
    )


def reports_of_member(member: Any) -> QuerySet[FaultReport]:
    """A member's own fault reports, newest first (我的反馈; a home tile counts the unresolved)."""
    return (
        FaultReport.objects.filter(member=member)
        .select_related("station")
        .order_by("-created_at", "-id")
    )


def report_counts(user: AnyUser, now: datetime | None = None) -> tuple[int, int]:
    """(unresolved, overdue) fault reports in the user's scope: a staff to-do and its mark
    (overdue: unresolved after settings.STATION_REPORT_OVERDUE_DAYS days)."""
    pending = reports_visible_to(user).exclude(status=FaultReport.Status.RESOLVED)
    counts = pending.aggregate(
        n=Count("id"), overdue=Count("id", filter=Q(created_at__lt=FaultReport.overdue_before(now)))
    )
    return counts["n"], counts["overdue"]


def open_reports_q() -> Q:
    return Q(reports__status__in=[FaultReport.Status.OPEN, FaultReport.Status.ACKNOWLEDGED])


def visit_stats(station: Station, *, days: int = 30) -> dict[str, list[dict]]:
    """Visits of a station over the last `days`: by day, by hour and by industry."""
    since = timezone.now() - timedelta(days=days)
    visits = Visit.objects.filter(city=station.city_id, station=station, at__gte=since)
    by_day = (
        visits.annotate(d=TruncDate("at", tzinfo=TZ))
        .values("d")
        .annotate(n=Count("id"))
        .order_by("d")
    )
    by_hour = dict(
        visits.annotate(h=ExtractHour("at", tzinfo=TZ))
        .values_list("h")
        .annotate(n=Count("id"))
        .values_list("h", "n")
    )
    by_industry = (
        visits.values("industry_id", "industry__name").annotate(n=Count("id")).order_by("-n")
    )
    return {
        "by_day": [{"name": r["d"].strftime("%m-%d"), "n": r["n"]} for r in by_day],
        "by_hour": [{"name": f"{h}时", "n": by_hour.get(h, 0)} for h in range(24)],
        "by_industry": [
            {"name": r["industry__name"] or _("未填写"), "n": r["n"]} for r in by_industry
        ],
        "total": [{"name": _("合计"), "n": visits.count()}],
    }


def navigation_links(
    lon: float, lat: float, name: str, *, origin: tuple[float, float] | None = None
) -> list[NavLink]:
    """Route links to a station stored at (lon, lat) WGS-84; `origin` WGS-84 too, if known."""
    g_lon, g_lat = from_wgs84(lon, lat, "gcj02")
    g_origin = None
    if origin is not None:
        o_lon, o_lat = from_wgs84(origin[0], origin[1], "gcj02")
        g_origin = (float(o_lon), float(o_lat))
    return _navigation_links(float(g_lon), float(g_lat), name, origin=g_origin)

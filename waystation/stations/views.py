"""Public pages, phone first: the map, nearest stations, a station, check-in, fault reports."""

from dataclasses import fields
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache

from waystation.accounts import geography
from waystation.accounts.models import City, District, Industry
from waystation.core.dbrouter import lagging_reads_view
from waystation.core.http import error_text
from waystation.core.net import client_ip
from waystation.core.prg import outcome_keep, outcome_read
from waystation.members.middleware import MemberRequest
from waystation.privacy.crypto import keyed_hash

from . import checkins, selectors, services
from .catalogue import catalogue_checked
from .forms import ReportForm
from .index import station_index
from .models import FaultReport, Station
from .places import places_by_district
from .uploads import image_path


def _public_station(code: str) -> Station:
    station = selectors.station_public(code)
    if station is None:
        raise Http404
    return station


def _map_city(request: HttpRequest) -> City | None:
    """The city whose districts the map draws: `?city=ADCODE`, else the first city served (the
    federation that set the site up). Stations of every city are on the map either way."""
    cities = City.objects.order_by("created_at", "pk")
    wanted = request.GET.get("city", "")
    return cities.filter(adcode=wanted).first() or cities.first()


@lagging_reads_view
def station_map(request: HttpRequest) -> HttpResponse:
    city = _map_city(request)
    return render(
        request,
        "stations/map.html",
        {
            "services": catalogue_checked().choices,
            "is_demo": Station.objects.filter(is_demo=True).exists(),
            "city": city,
            "cities": City.objects.order_by("adcode").values_list("adcode", "name"),
        },
    )


@cache_control(public=True, max_age=3600)
def districts_geojson(request: HttpRequest) -> HttpResponse:
    """A city's district boundaries (WGS-84) for the map; `?city=ADCODE`."""
    city = _map_city(request)
    if city is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    return JsonResponse(geography.city_geojson(city))


@lagging_reads_view
def nearest(request: HttpRequest) -> HttpResponse:
    """Server-rendered nearest stations, for a phone without script: the person picks a district
    and then a road or landmark from the stations' own addresses (places.py), never types
    coordinates. Open stations only unless "全部" is chosen. (`lon`/`lat` in the address still
    work, for links that carry a point.)"""
    params = request.GET
    index = station_index()
    places = places_by_district(index)
    districts = _districts_named(sorted(places))
    district = params.get("district", "")
    district_places = places.get(district, []) if district in districts else []
    place = next((p for p in district_places if p.name == params.get("place")), None)
    show_all = params.get("show") == "all"
    hits, errors = [], {}
    point: tuple[Any, Any, str] | None = None
    if place is not None:
        point = (place.lon, place.lat, "wgs84")
    elif params.get("lon") and params.get("lat"):
        point = (params["lon"], params["lat"], params.get("datum", "wgs84"))
    if point is not None:
        try:
            hits = selectors.stations_nearest(
                lon=point[0],
                lat=point[1],
                datum=point[2],
                service=params.get("service", ""),
                open_now=not show_all and params.get("open_now", "1") not in ("0", "false", "off"),
                limit=10,
            )
        except ValidationError as exc:
            errors = exc.message_dict
    return render(
        request,
        "stations/nearest.html",
        {
            "hits": hits,
            "errors": errors,
            "searched": point is not None,
            "services": catalogue_checked().choices,
            "districts": districts.items(),
            "district": district if district in districts else "",
            "places": district_places,
            "place": place,
            "show_all": show_all,
        },
    )


def _districts_named(codes: list[str]) -> dict[str, str]:
    """{code: name} of these districts, with the city's name when they span several cities."""
    rows = list(
        District.objects.filter(code__in=codes)
        .order_by("city__adcode", "code")
        .values_list("code", "name", "city__name", "city_id")
    )
    several = len({r[3] for r in rows}) > 1
    return {code: f"{city}{name}" if several else name for code, name, city, _ in rows}


@lagging_reads_view
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """A station's page. A closed station (for good) says so and points to the nearest open one,
    with no check-in, timetable or navigation to it; the distance from the person is filled in
    by the page's script from the point the map page found (kept in the browser tab only)."""
    station = _public_station(code)
    closed = station.status == Station.Status.CLOSED
    instead = None
    if closed:
        found = selectors.stations_nearest(lon=station.lon, lat=station.lat, status_open=True)
        instead = found[0] if found else None
    return render(
        request,
        "stations/detail.html",
        {
            "s": station,
            "closed": closed,
            "instead": instead,
            "state": station.is_open_at(timezone.now()),
            "week": [] if closed else _week_rows(station),
            "exceptions": []
            if closed
            else [e for e in station.exceptions.all() if e.end_date >= timezone.localdate()],
            "links": []
            if closed
            else selectors.navigation_links(station.lon, station.lat, station.name),
        },
    )


WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def _week_rows(station: Station) -> list[tuple[str, str]]:
    if station.is_24h:
        return [("每天", "24 小时")]
    week = station.weekly_hours or [[]] * 7
    return [
        (WEEKDAYS[i], "、".join(f"{a}–{b}" for a, b in day) or "休息") for i, day in enumerate(week)
    ]


def _visitor_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return keyed_hash("station-visit:" + str(request.session.session_key))


@never_cache
def checkin(request: MemberRequest, code: str) -> HttpResponse:
    """The page the poster's QR opens (its URL carries the station's code, kept in the form);
    without the code, the page's script sends the phone's location if the person shares it."""
    station = _public_station(code)
    if station.status == Station.Status.CLOSED:
        return redirect("stations:detail", station.code)  # says so, and where to go instead
    member = request.member or None
    error = ""
    if request.method == "POST":
        post = request.POST
        try:
            result = checkins.checkin_record(
                station=station,
                member=member,
                industry="" if member else post.get("industry", ""),
                poster_code=post.get("poster_code", ""),
                lon=post.get("lon") or None,
                lat=post.get("lat") or None,
                visitor_key=_visitor_key(request),
                ip=client_ip(request) or "",
            )
        except ValidationError as exc:
            error = error_text(exc)
        else:
            outcome_keep(request, f"stations.checkin:{station.code}", **_checkin_outcome(result))
            return redirect("stations:checkin_done", station.code)
    return render(
        request,
        "stations/checkin.html",
        {
            "s": station,
            "member": member,
            "industries": Industry.objects.values_list("code", "name"),
            "error": error,
            "poster_code": request.POST.get("poster_code") or request.GET.get("poster_code", ""),
        },
    )


@never_cache
def report(request: MemberRequest, code: str) -> HttpResponse:
    station = _public_station(code)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.report_create(
                station=station,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
                photo=form.cleaned_data.get("photo"),
                member=request.member or None,
                phone=form.cleaned_data.get("phone", ""),
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for m in msgs:
                    form.add_error(field if field in form.fields else None, m)
        else:
            outcome_keep(request, f"stations.report:{station.code}", report=created.pk)
            return redirect("stations:report_done", station.code)
    return render(
        request,
        "stations/report.html",
        {"s": station, "form": form, "categories": FaultReport.Category.choices},
    )


@lagging_reads_view
def station_photo(request: HttpRequest, code: str, name: str) -> FileResponse:
    station = _public_station(code)
    photo = station.photos.filter(stored_name=name).first()
    if photo is None:
        raise Http404
    try:
        path = image_path(photo.stored_name)
        resp = FileResponse(path.open("rb"), content_type=photo.content_type)
    except FileNotFoundError as exc:
        raise Http404 from exc
    resp["X-Content-Type-Options"] = "nosniff"
    # never a document, whatever a browser makes of it; a stored name is never reused
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Cache-Control"] = "public, max-age=3600"
    return resp


# --- the pages a check-in and a fault report redirect to (core.prg) ----------------------------


def _checkin_outcome(result: checkins.CheckinResult) -> dict:
    outcome = {f.name: getattr(result, f.name) for f in fields(result)}
    outcome["visit"] = result.visit.pk if result.visit else None
    return outcome


@never_cache
def checkin_done(request: MemberRequest, code: str) -> HttpResponse:
    station = _public_station(code)
    outcome = outcome_read(request, f"stations.checkin:{station.code}")
    if outcome is None:
        return redirect("stations:checkin", station.code)
    visit = station.visits.filter(pk=outcome["visit"]).first() if outcome["visit"] else None
    return render(
        request,
        "stations/checkin_done.html",
        {
            "s": station,
            "result": checkins.CheckinResult(**{**outcome, "visit": visit}),
            "member": request.member or None,
        },
    )


@never_cache
def report_done(request: HttpRequest, code: str) -> HttpResponse:
    station = _public_station(code)
    outcome = outcome_read(request, f"stations.report:{station.code}")
    filed = outcome and station.reports.filter(pk=outcome["report"]).first()
    if not filed:
        return redirect("stations:detail", station.code)
    return render(request, "stations/report_done.html", {"s": station, "r": filed})


@never_cache
def my_reports(request: MemberRequest) -> HttpResponse:
    """A member's own fault reports: their state and the staff's reply."""
    member = request.member or None
    if member is None:
        return redirect(f"{reverse('members:login')}?next={request.path}")
    reports = selectors.reports_of_member(member).only(
        "station__code",
        "station__name",
        "category",
        "text",
        "status",
        "created_at",
        "acknowledged_at",
        "resolved_at",
        "reply",
        "replied_at",
    )[:100]
    return render(request, "stations/my_reports.html", {"reports": reports, "member": member})

"""Public pages, phone first: the map, nearest stations, a station, check-in, fault reports."""

from dataclasses import fields

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache

from waystation.accounts import geography
from waystation.accounts.models import City, Industry
from waystation.core.dbrouter import lagging_reads_view
from waystation.core.http import error_text
from waystation.core.net import client_ip
from waystation.core.prg import outcome_keep, outcome_read
from waystation.members.middleware import MemberRequest
from waystation.privacy.crypto import keyed_hash

from . import checkins, selectors, services
from .catalogue import catalogue_checked
from .forms import ReportForm
from .models import FaultReport, Station
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
    """Server-rendered nearest stations (the map page calls the API; this works without JS)."""
    hits, errors = [], {}
    params = request.GET
    if params.get("lon") and params.get("lat"):
        try:
            hits = selectors.stations_nearest(
                lon=params["lon"],
                lat=params["lat"],
                datum=params.get("datum", "wgs84"),
                service=params.get("service", ""),
                open_now=params.get("open_now") in ("1", "true", "on"),
                limit=10,
            )
        except ValidationError as exc:
            errors = exc.message_dict
    return render(
        request,
        "stations/nearest.html",
        {"hits": hits, "errors": errors, "services": catalogue_checked().choices},
    )


@lagging_reads_view
def detail(request: HttpRequest, code: str) -> HttpResponse:
    station = _public_station(code)
    return render(
        request,
        "stations/detail.html",
        {
            "s": station,
            "state": station.is_open_at(timezone.now()),
            "week": _week_rows(station),
            "exceptions": [
                e for e in station.exceptions.all() if e.end_date >= timezone.localdate()
            ],
            "links": selectors.navigation_links(
                station.lon, station.lat, station.name, station.address
            ),
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

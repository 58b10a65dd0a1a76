"""Stations API: the map layer, nearest open station, check-ins and fault reports."""

from django.http import Http404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from waystation.core.net import client_ip

from . import selectors, services
from .models import Station

router = Router(tags=["stations"])


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


class NearestOut(Schema):
    code: str
    name: str
    address: str
    distance_m: int
    walk_min: int
    ebike_min: int
    open_now: bool
    open_until: str | None
    open_label: str
    services: list[str]
    lon: float
    lat: float


class CheckinIn(Schema):
    card_token: str = ""
    industry: str = ""


class CheckinOut(Schema):
    visit_id: int | None  # None when not recorded (`limited`)
    counted: bool
    member: bool
    limited: bool  # too many anonymous check-ins from this address here: not recorded
    message: str


class ReportOut(Schema):
    id: int
    status: str
    photo: bool


def _station(code: str) -> Station:
    station = Station.objects.filter(code=code, status__in=selectors.PUBLIC_STATUSES).first()
    if station is None:
        raise Http404
    return station


@router.get("/stations", response={200: dict, 400: ErrorsOut}, summary="驿站地图图层（GeoJSON）")
def stations_list(
    request,
    service: str = "",
    open_now: bool = False,
    district: str = "",
    datum: str = "wgs84",
):
    return selectors.stations_geojson(
        service=service, open_now=open_now, district=district, datum=datum
    )


@router.get(
    "/stations/nearest",
    response={200: list[NearestOut], 400: ErrorsOut},
    summary="最近的驿站（按球面距离）",
)
def stations_nearest(
    request,
    lon: str,
    lat: str,
    datum: str = "wgs84",
    service: str = "",
    open_now: bool = False,
    limit: int = 5,
):
    # lon/lat arrive as text so that "NaN", "abc" and out-of-range values get one clear message
    hits = selectors.stations_nearest(
        lon=lon, lat=lat, datum=datum, service=service, open_now=open_now, limit=limit
    )
    return [h.as_dict() for h in hits]


@router.post(
    "/stations/{code}/checkins",
    response={200: CheckinOut, 201: CheckinOut, 400: ErrorsOut},
    summary="扫码签到（会员卡令牌可选）",
)
def checkin(request, code: str, payload: CheckinIn):
    result = services.checkin_record(
        station=_station(code),
        card_token=payload.card_token,
        industry=payload.industry,
        ip=client_ip(request) or "",
        channel="api",
    )
    visit = result.visit
    body = {
        "visit_id": visit.pk if visit else None,
        "counted": result.counted,
        "member": visit is not None and visit.member_id is not None,
        "limited": result.limited,
        "message": _checkin_message(result),
    }
    return Status(201 if result.counted else 200, body)


def _checkin_message(result: services.CheckinResult) -> str:
    if result.counted:
        return "签到成功"
    if result.limited:
        return "谢谢！本驿站近期来自同一网络的签到较多，本次未计入统计"
    return "您刚刚已签到，30 分钟内重复扫码只记一次"


@router.post(
    "/stations/{code}/reports",
    response={201: ReportOut, 400: ErrorsOut},
    summary="故障与意见反馈（照片可选，≤ 5 MB）",
)
def report(
    request,
    code: str,
    category: str = Form(...),
    text: str = Form(""),
    photo: UploadedFile | None = File(None),  # noqa: B008 - ninja's parameter markers
):
    r = services.report_create(station=_station(code), category=category, text=text, photo=photo)
    return Status(201, {"id": r.pk, "status": r.status, "photo": bool(r.photo_name)})

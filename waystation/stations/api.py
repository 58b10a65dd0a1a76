"""Stations API: the map layer, nearest open station, check-ins and fault reports."""

from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from waystation.core.dbrouter import lagging_reads_view
from waystation.core.net import client_ip

from . import checkins, selectors, services
from .layer import station_layer
from .models import Station

router = Router(tags=["stations"])


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


class NavOut(Schema):
    app: Literal["amap", "baidu", "tencent"]
    label: str
    url: str = Field(description="该地图应用的路线规划（导航）链接，终点为驿站（GCJ-02）")


class NearestOut(Schema):
    code: str
    name: str
    address: str
    distance_m: int
    distance_text: str = Field(description="给人看的距离：1 公里以内以米计，以上以公里计")
    walk_min: int
    ebike_min: int
    open_now: bool
    open_until: str | None
    open_label: str
    services: list[str]
    lon: float
    lat: float
    nav: list[NavOut]


class CheckinIn(Schema):
    card_token: str = Field("", description="会员电子卡令牌（可选）：签到记为该会员的")
    industry: str = Field("", description="行业（匿名签到时可选）")
    poster_code: str = Field(
        "",
        description="驿站签到海报二维码链接里的 `poster_code` 参数。有效即计入到站次数；"
        "海报重新生成后旧码停用",
    )
    lon: float | None = Field(
        None,
        description="手机定位的经度（可选，与 lat 一起）。没有有效签到码时，"
        "距驿站不超过 CHECKIN_MAX_DISTANCE_M（默认 300 米）才计入",
    )
    lat: float | None = Field(None, description="手机定位的纬度")
    datum: str = Field("wgs84", description="lon/lat 的坐标系：wgs84、gcj02 或 bd09")


class CheckinOut(Schema):
    visit_id: int | None = Field(description="记录的到站；未记录时为 null")
    counted: bool = Field(description="本次是否计入到站次数")
    member: bool
    limited: bool = Field(description="本驿站近期来自同一地址的匿名签到过多：未记录")
    reason: Literal[
        "", "duplicate", "limited", "no_proof", "far", "code_invalid", "code_retired"
    ] = Field(
        description="未计入的原因：duplicate 30 分钟内已签到；limited 同一地址过多；"
        "no_proof 既无签到码也无定位；far 定位离驿站太远；code_invalid 签到码无效"
        "（伪造或属于其他驿站）；code_retired 海报已重新生成，旧码停用。计入时为空"
    )
    distance_m: int | None = Field(description="所给定位到驿站的距离（米）；未给定位时为 null")
    message: str = Field(description="给用户看的说明")


class ReportOut(Schema):
    id: int
    status: str
    photo: bool


def _station(code: str) -> Station:
    station = Station.objects.filter(code=code, status__in=selectors.PUBLIC_STATUSES).first()
    if station is None:
        raise Http404
    return station


@router.get(
    "/stations",
    response={200: dict, 304: None, 400: ErrorsOut},
    summary="驿站地图图层（GeoJSON）",
    description="带 `ETag`；请求头 `If-None-Match` 与之相同时回答 304（驿站或开放状态未变）。",
)
@lagging_reads_view
def stations_list(
    request: HttpRequest,
    service: str = "",
    open_now: bool = False,
    district: str = "",
    datum: str = "wgs84",
) -> HttpResponse | None:
    layer = station_layer(service=service, open_now=open_now, district=district, datum=datum)
    response = HttpResponse(layer.body, content_type="application/json; charset=utf-8")
    response["ETag"] = layer.etag
    response["Cache-Control"] = "no-cache"  # clients revalidate: an edit shows at once
    return get_conditional_response(request, etag=layer.etag, response=response)


@router.get(
    "/stations/nearest",
    response={200: list[NearestOut], 400: ErrorsOut},
    summary="最近的驿站（按球面距离）",
)
@lagging_reads_view
def stations_nearest(
    request: HttpRequest,
    lon: str,
    lat: str,
    datum: str = "wgs84",
    service: str = "",
    open_now: bool = False,
    limit: int = 5,
) -> list[dict[str, Any]]:
    # lon/lat arrive as text so that "NaN", "abc" and out-of-range values get one clear message
    hits = selectors.stations_nearest(
        lon=lon, lat=lat, datum=datum, service=service, open_now=open_now, limit=limit
    )
    return [h.as_dict() for h in hits]


@router.post(
    "/stations/{code}/checkins",
    response={200: CheckinOut, 201: CheckinOut, 400: ErrorsOut},
    summary="签到（需驿站海报二维码的签到码，或驿站附近的定位）",
    description="201：计入到站次数；200：未计入（见 `reason` 与 `message`），未计入的签到不记录。",
)
def checkin(request: HttpRequest, code: str, payload: CheckinIn) -> Status[dict]:
    result = checkins.checkin_record(
        station=_station(code),
        card_token=payload.card_token,
        industry=payload.industry,
        poster_code=payload.poster_code,
        lon=payload.lon,
        lat=payload.lat,
        datum=payload.datum,
        ip=client_ip(request) or "",
        channel="api",
    )
    visit = result.visit
    body = {
        "visit_id": visit.pk if visit else None,
        "counted": result.counted,
        "member": visit is not None and visit.member_id is not None,
        "limited": result.limited,
        "reason": result.reason,
        "distance_m": result.distance_m,
        "message": result.message,
    }
    return Status(201 if result.counted else 200, body)


@router.post(
    "/stations/{code}/reports",
    response={201: ReportOut, 400: ErrorsOut},
    summary="故障与意见反馈（照片可选，≤ 5 MB）",
)
def report(
    request: HttpRequest,
    code: str,
    category: str = Form(...),
    text: str = Form(""),
    photo: UploadedFile | None = File(None),  # noqa: B008 - ninja's parameter markers
    phone: str = Form("", description="手机号（可选）：工作人员回复时短信通知"),
) -> Status[dict]:
    r = services.report_create(
        station=_station(code), category=category, text=text, photo=photo, phone=phone
    )
    return Status(201, {"id": r.pk, "status": r.status, "photo": bool(r.photo_name)})

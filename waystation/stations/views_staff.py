"""Staff pages: stations in scope, a station's visits and faults, hours and closures, posters."""

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waystation.accounts.access import (
    AnyUser,
    AuthenticatedHttpRequest,
    Role,
    requires,
    scope_of,
    staff_required,
)
from waystation.accounts.models import City, District
from waystation.core.charts import Chart, chart_download, with_query
from waystation.core.http import attachment, flash_errors, paginate
from waystation.jobs.access import jobs_visible_to
from waystation.members.exports import XLSX

from . import posters, registry, selectors, services
from .access import (
    can_keep_station,
    can_manage_station,
    can_see_stations,
    reports_visible_to,
    station_for_staff,
    stations_visible_to,
)
from .catalogue import catalogue_checked, service_choices
from .forms import (
    ExceptionForm,
    PhotoForm,
    ReportActionForm,
    ReportAssignForm,
    ReportReplyForm,
    StationForm,
)
from .models import FaultReport, Station
from .selectors import open_reports_q
from .uploads import image_path

PAGE_SIZE = 50


def _kept_station(request: HttpRequest, code: str) -> Station:
    """A station the user may keep (hours, closures, photos): its keepers and staff over it."""
    station = station_for_staff(request.user, code)
    if not can_keep_station(request.user, station):
        raise Http404
    return station


def _district_choices(city_ids: list[int] | frozenset[int]) -> list[tuple[str, str]]:
    """(code, name) of the districts of these cities; with the city's name when several."""
    rows = District.objects.filter(city__in=city_ids).values_list("code", "name", "city__name")
    several = len(set(city_ids)) > 1
    return [(code, f"{city} {name}" if several else name) for code, name, city in rows]


@requires(can_see_stations)
def station_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = selectors.stations_filtered(request.user, request.GET)
    if scope_of(request.user).roles == {Role.STATION_KEEPER} and qs.count() == 1:
        return redirect("stations:staff_detail", qs.get().code)  # the keeper's page
    page, params = paginate(request, qs, PAGE_SIZE)
    counts = dict(stations_visible_to(request.user).values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "stations/staff_list.html",
        {
            "page": page,
            "params": params,
            "districts": _district_choices(scope_of(request.user).home_cities),
            "statuses": Station.Status.choices,
            "services": service_choices(),  # checked by stations_filtered above
            "counts": [(label, counts.get(code, 0)) for code, label in Station.Status.choices],
        },
    )


@requires(can_see_stations)
def station_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    datum = request.GET.get("datum", "wgs84")
    if datum not in ("wgs84", "gcj02", "bd09"):
        raise Http404
    qs = selectors.stations_filtered(request.user, request.GET)
    data = registry.registry_xlsx(qs, datum=datum)
    return attachment(data, f"stations-{datum}.xlsx", XLSX)


@staff_required
def station_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not scope_of(request.user).is_union_staff:
        raise Http404
    result = None
    datum = request.POST.get("datum", "")
    if request.method == "POST" and not request.FILES.get("file"):
        messages.error(request, "请选择要导入的 Excel 文件")
    elif request.method == "POST":
        try:
            result = registry.registry_import_start(
                data=cast(UploadedFile, request.FILES["file"]).read(),
                datum=datum,
                actor=request.user,
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            if not result.errors:  # checked and queued: the progress is on the page redirected to
                return _import_started(request, result)
    job_pk = request.GET.get("job", "")
    job = (
        jobs_visible_to(request.user).filter(kind=registry.JOB_KIND, pk=job_pk).first()
        if job_pk.isdigit() and int(job_pk) < 2**63  # a bigint, or nothing to show
        else None
    )
    return render(
        request,
        "stations/staff_import.html",
        {"result": result, "job": job, "datum": datum, "datums": registry.DATUM_CHOICES},
    )


def _import_started(request: HttpRequest, result: registry.ImportResult) -> HttpResponse:
    counts = f"新建 {result.created}，更新 {result.updated}，无变化 {result.unchanged}"
    if result.job is None:
        messages.success(request, f"{counts}：文件与现有登记一致，没有需要写入的变化。")
        return redirect("stations:import")
    messages.success(request, f"{counts}：正在后台写入，进度见下方。")
    return redirect(f"{reverse('stations:import')}?job={result.job.pk}")


@staff_required
def station_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    station = station_for_staff(request.user, code)
    reports = station.reports.exclude(status=FaultReport.Status.RESOLVED).order_by("created_at")
    now = timezone.now()
    stats = selectors.visit_stats(station)
    visits = _("签到次数")
    charts = with_query(
        request,
        [
            Chart("by-day", _("按日"), "line", stats["by_day"], _("日期"), visits),
            Chart("by-hour", _("按小时"), "line", stats["by_hour"], _("时段"), visits),
            Chart("by-industry", _("按行业"), "pie", stats["by_industry"], _("行业"), visits),
        ],
    )
    if (file := chart_download(request, charts, f"{station.code}-{_('签到')}")) is not None:
        return file
    return render(
        request,
        "stations/staff_detail.html",
        {
            "s": station,
            "state": station.is_open_at(now),
            "stats": stats,
            "charts": charts,
            "open_reports": [(r, r.age(now)) for r in reports],
            "exceptions": station.exceptions.filter(end_date__gte=timezone.localdate()),
            "exception_form": ExceptionForm(),
            "can_manage": can_manage_station(request.user, station),
            "can_keep": can_keep_station(request.user, station),
            "keepers": station.keepers.all(),
            "photos": station.photos.all(),
            "photo_form": PhotoForm(),
            "is_public": station.status in selectors.PUBLIC_STATUSES,
        },
    )


@staff_required
def station_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    station = _kept_station(request, code)
    keeper_only = not can_manage_station(request.user, station)
    catalogue_checked()  # the form offers the services as they are now
    form = StationForm(
        request.POST or None,
        initial=StationForm.initial_for(station),
        districts=_district_choices([station.city_id]),
        keeper_only=keeper_only,
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        lon, lat = form.cleaned_data.get("lon"), form.cleaned_data.get("lat")
        try:
            services.station_update(
                station=station,
                data=data,
                actor=request.user,
                lon=lon if lon is not None and lat is not None else None,
                lat=lat if lon is not None and lat is not None else None,
                datum=form.cleaned_data.get("datum") or "wgs84",
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                target = "weekly_text" if field == "weekly_hours" else field
                for m in msgs:
                    form.add_error(target if target in form.fields else None, m)
        else:
            messages.success(request, "已保存")
            return redirect("stations:staff_detail", station.code)
    return render(
        request,
        "stations/staff_edit.html",
        {"s": station, "form": form, "keeper_only": keeper_only},
    )


@require_POST
@staff_required
def exception_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    station = _kept_station(request, code)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.exception_add(
                station=station,
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
                closed=form.cleaned_data["closed"],
                hours=form.hours(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(request, "已添加例外日期")
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, "请填写开始和结束日期")
    return redirect("stations:staff_detail", station.code)


@require_POST
@staff_required
def exception_delete(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    station = _kept_station(request, code)
    exception = station.exceptions.filter(pk=pk).first()
    if exception is None:
        raise Http404
    services.exception_delete(exception=exception, actor=request.user)
    messages.success(request, "已删除例外日期")
    return redirect("stations:staff_detail", station.code)


@require_POST
@staff_required
def photo_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    station = _kept_station(request, code)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.photo_add(
                station=station,
                upload=form.cleaned_data["photo"],
                caption=form.cleaned_data["caption"],
                actor=request.user,
            )
            messages.success(request, "照片已上传")
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        flash_errors(request, form)
    return redirect("stations:staff_detail", station.code)


@require_POST
@staff_required
def photo_delete(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    station = _kept_station(request, code)
    photo = station.photos.filter(pk=pk).first()
    if photo is None:
        raise Http404
    services.photo_delete(photo=photo, actor=request.user)
    messages.success(request, "照片已删除")
    return redirect("stations:staff_detail", station.code)


@staff_required
def poster_png(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    station = station_for_staff(request.user, code)
    return HttpResponse(posters.poster_png(station), content_type="image/png")


@staff_required
def poster_pdf(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    station = station_for_staff(request.user, code)
    return attachment(
        posters.poster_pdf(station), f"station-{station.code}.pdf", "application/pdf", inline=True
    )


@require_POST
@staff_required
def poster_reissue(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    station = _kept_station(request, code)
    services.station_poster_reissue(station=station, actor=request.user)
    messages.success(
        request,
        _("已生成第 %(version)d 版签到海报，旧海报的二维码不再计入到站次数，请打印替换")
        % {"version": station.poster_version},
    )
    return redirect("stations:staff_detail", station.code)


@requires(can_see_stations)
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Fault reports in scope, overdue ones first (unresolved for more than
    settings.STATION_REPORT_OVERDUE_DAYS days), then oldest first; `?mine=1`: assigned to me."""
    qs = reports_visible_to(request.user).select_related("assignee")
    status = request.GET.get("status", "pending")
    if status == "pending":
        qs = qs.exclude(status=FaultReport.Status.RESOLVED)
    elif status in FaultReport.Status.values:
        qs = qs.filter(status=status)
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(assignee=request.user)
    now = timezone.now()
    overdue = Q(created_at__lt=FaultReport.overdue_before(now)) & ~Q(
        status=FaultReport.Status.RESOLVED
    )
    qs = qs.annotate(
        overdue=Case(When(overdue, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("overdue", "created_at", "id")
    page, params = paginate(request, qs, PAGE_SIZE)
    return render(
        request,
        "stations/reports.html",
        {
            "page": page,
            "rows": [(r, r.age(now), r.is_overdue(now)) for r in page],
            "status": status,
            "mine": mine,
            "params": params,
            "statuses": FaultReport.Status.choices,
            "overdue_days": settings.STATION_REPORT_OVERDUE_DAYS,
        },
    )


def _report_for_staff(user: AnyUser, pk: int) -> FaultReport:
    report = reports_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


@staff_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _report_for_staff(request.user, pk)
    people = services.report_assignees(report.station)
    if request.method == "POST":
        action = request.POST.get("action", "status")
        try:
            if action == "assign":
                assign = ReportAssignForm(request.POST, people=people)
                if not assign.is_valid():
                    raise ValidationError({"assignee": [_("请选择指派对象")]})
                chosen = assign.cleaned_data["assignee"]
                services.report_assign(
                    report=report,
                    assignee=next((u for u in people if u.pk == chosen), None),
                    actor=request.user,
                )
                messages.success(request, _("已指派"))
            elif action == "reply":
                reply = ReportReplyForm(request.POST)
                if not reply.is_valid():
                    raise ValidationError({"reply": [_("请填写回复内容（不超过 500 字）")]})
                services.report_reply(
                    report=report, text=reply.cleaned_data["reply"], actor=request.user
                )
                messages.success(
                    request,
                    _("已回复，并已短信通知反馈人")
                    if report.reporter_phone_enc
                    else _("已回复，反馈人可在“我的反馈”查看"),
                )
            else:
                form = ReportActionForm(request.POST)
                if form.is_valid():
                    services.report_transition(
                        report=report,
                        to=form.cleaned_data["to"],
                        note=form.cleaned_data["note"],
                        actor=request.user,
                    )
                    messages.success(request, _("状态已更新"))
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("stations:staff_report", report.pk)
    return render(
        request,
        "stations/report_detail.html",
        {
            "r": report,
            "age": report.age(),
            "overdue": report.is_overdue(),
            "overdue_days": settings.STATION_REPORT_OVERDUE_DAYS,
            "assign_form": ReportAssignForm(
                initial={"assignee": report.assignee_id}, people=people
            ),
            "reply_form": ReportReplyForm(),  # a new reply: the last one is shown above it
        },
    )


@staff_required
def report_photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    report = _report_for_staff(request.user, pk)
    if not report.photo_name:
        raise Http404
    try:
        path = image_path(report.photo_name)
        resp = FileResponse(path.open("rb"), content_type=report.photo_type)
    except FileNotFoundError as exc:
        raise Http404 from exc
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# --- the staff map -------------------------------------------------------------------------------

STATUS_COLOURS = {  # colour-blind safe where it matters: open and closed differ in lightness too
    Station.Status.PLANNED: "#7b61c9",
    Station.Status.BUILDING: "#1f6fd1",
    Station.Status.OPEN: "#1a7f37",
    Station.Status.TEMP_CLOSED: "#c26100",
    Station.Status.CLOSED: "#555555",
}


@requires(can_see_stations)
def staff_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The stations in the user's scope on a map, coloured by status, with a legend."""
    counts = dict(stations_visible_to(request.user).values_list("status").annotate(n=Count("id")))
    cities = sorted(scope_of(request.user).home_cities)
    return render(
        request,
        "stations/staff_map.html",
        {
            "city_adcode": City.objects.filter(pk__in=cities[:1])
            .values_list("adcode", flat=True)
            .first()
            or "",
            "legend": [
                (code, label, STATUS_COLOURS[Station.Status(code)], counts.get(code, 0))
                for code, label in Station.Status.choices
            ],
        },
    )


@requires(can_see_stations)
def staff_map_layer(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The map's stations (WGS-84 GeoJSON): every status, the user's scope only."""
    rows = (
        stations_visible_to(request.user)
        .annotate(open_reports=Count("reports", filter=open_reports_q(), distinct=True))
        .values_list("code", "name", "status", "lon", "lat", "open_reports")
        .order_by("code")
    )
    labels = dict(Station.Status.choices)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
            "properties": {
                "code": code,
                "name": name,
                "status": status,
                "status_label": labels.get(status, status),
                "colour": STATUS_COLOURS.get(status, "#555555"),
                "open_reports": n,
                "url": reverse("stations:staff_detail", args=[code]),
            },
        }
        for code, name, status, lon, lat, n in rows
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, no-store"
    return response

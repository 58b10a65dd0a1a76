import json

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waystation.accounts.access import (
    AuthenticatedHttpRequest,
    get_in_scope_or_404,
    requires,
    scope_of,
)
from waystation.core.http import attachment
from waystation.jobs.runner import job_enqueue
from waystation.members.exports import XLSX
from waystation.planning import PlanningError

from . import geography, reports
from .access import analyses_visible_to, can_plan, cities_planned_by
from .forms import DEFAULTS, AnalysisForm, TaskForm
from .inputs import city_demand_source, parse_upload
from .models import Analysis


def _task_form(
    request: AuthenticatedHttpRequest,
    cities: list,
    districts: dict,
    task: str,
    data: object = None,
) -> TaskForm:
    own = sorted(scope_of(request.user).district_codes)
    return TaskForm(
        data,
        cities=cities,
        districts=districts,
        own=own[0] if own else "",
        initial={"task": task},
        auto_id=f"{task}-%s",
    )


def _index(
    request: AuthenticatedHttpRequest,
    form: AnalysisForm,
    status: int = 200,
    task: TaskForm | None = None,
) -> HttpResponse:
    """The page: the one-click tasks, the expert form folded away, the recent analyses and, for
    each city planned for, its districts."""
    analyses = analyses_visible_to(request.user).select_related("job", "created_by")[:30]
    districts = geography.districts_by_city(form.cities)
    tasks = {
        name: task if task is not None and task.data.get("task") == name else None
        for name in ("coverage", "selection")
    }
    for name in tasks:
        tasks[name] = tasks[name] or _task_form(request, form.cities, districts, name)
    return render(
        request,
        "planner/index.html",
        {
            "form": form,
            "tasks": tasks,
            "defaults": DEFAULTS,
            # the expert options stay open when their form came back with an error
            "expert_open": form.is_bound,
            "analyses": analyses,
            "cities": [(city, districts.get(city.pk, [])) for city in form.cities],
        },
        status=status,
    )


@requires(can_plan)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _index(request, AnalysisForm(cities=cities_planned_by(request.user)))


def _start(request: AuthenticatedHttpRequest, **fields: object) -> Analysis:
    with transaction.atomic():
        analysis = Analysis.objects.create(created_by=request.user, **fields)
        analysis.job = job_enqueue(
            kind="planner.analysis",
            params={"analysis": analysis.pk},
            user=request.user,
            city=analysis.city_id,
        )
        analysis.save(update_fields=["job"])
    messages.success(request, _("分析已提交，正在后台运行"))
    return analysis


@require_POST
@requires(can_plan)
def task(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A one-click task: the city's own demand and the defaults, for a district or the city."""
    cities = list(cities_planned_by(request.user))
    districts = geography.districts_by_city(cities)
    name = request.POST.get("task", "")
    form = _task_form(request, cities, districts, name, request.POST)
    if not form.is_valid():
        return _index(request, AnalysisForm(cities=cities_planned_by(request.user)), 400, form)
    city = form.cleaned_data["city"]
    analysis = _start(
        request,
        city=city,
        kind=form.cleaned_data["task"],
        params=form.params(city_demand_source(city)),
    )
    return redirect(analysis)


@require_POST
@requires(can_plan)
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AnalysisForm(request.POST, request.FILES, cities=cities_planned_by(request.user))
    uploaded: dict = {}
    if form.is_valid():
        d = form.cleaned_data
        wanted = {
            "demand": d["demand"] == "upload",
            "candidates": d["kind"] == "selection" and d["candidates"] == "upload",
        }
        for key, what in (("demand", "需求"), ("candidates", "候选点")):
            field = f"{key}_file"
            if not wanted[key]:
                continue
            try:
                uploaded[key] = parse_upload(d[field].read(), datum=d["datum"], what=what)
            except PlanningError as exc:
                form.add_error(field, str(exc))
    if not form.is_valid():
        return _index(request, form, status=400)
    analysis = _start(
        request,
        city=form.cleaned_data["city"],
        kind=form.cleaned_data["kind"],
        params=form.params(),
        uploaded=uploaded,
    )
    return redirect(analysis)


def _analysis(request: HttpRequest, pk: int) -> Analysis:
    return get_in_scope_or_404(analyses_visible_to(request.user).select_related("job"), pk=pk)


@requires(can_plan)
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    analysis = _analysis(request, pk)
    rows = geography.district_rows(analysis.city_id)
    focus = reports.focus(analysis, rows)
    boundaries = geography.districts_geojson(analysis.city_id)
    table = reports.district_table(analysis, rows) if analysis.result else []
    legend = reports.legend(analysis, boundaries, focus is not None) if analysis.result else []
    return render(
        request,
        "planner/detail.html",
        {
            "a": analysis,
            "job": analysis.job,
            "summary": reports.summary(analysis),
            "focus": focus,
            "focus_line": next((line for line in table if line.focus), None),
            "counted_line": next(
                (line for line in table if focus and line.code == focus.counted_in), None
            ),
            "table": table,
            "sites": reports.sites(analysis, rows) if analysis.result else [],
            "legend": legend,
            "map_style": {
                "layers": {layer.key: layer.color for layer in reports.LAYERS},
                "focus": focus.counted_in if focus else "",
            },
            "layers": json.dumps(analysis.result.get("layers", {}), ensure_ascii=False),
            "boundaries": json.dumps(boundaries, ensure_ascii=False),
        },
    )


@requires(can_plan)
def layers_geojson(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    analysis = _analysis(request, pk)
    body = reports.merged_geojson(analysis)
    return attachment(
        json.dumps(body, ensure_ascii=False), f"analysis-{pk}.geojson", "application/geo+json"
    )


@requires(can_plan)
def report_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    analysis = _analysis(request, pk)
    return attachment(reports.xlsx(analysis), f"analysis-{pk}.xlsx", XLSX)

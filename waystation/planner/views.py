import json

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from waystation.accounts.access import AuthenticatedHttpRequest, get_in_scope_or_404, requires
from waystation.core.http import attachment
from waystation.jobs.runner import job_enqueue
from waystation.members.exports import XLSX
from waystation.planning import PlanningError

from . import geography, reports
from .access import analyses_visible_to, can_plan, cities_planned_by
from .forms import AnalysisForm
from .inputs import parse_upload
from .models import Analysis


def _index(
    request: AuthenticatedHttpRequest, form: AnalysisForm, status: int = 200
) -> HttpResponse:
    """The page: the form, the recent analyses and, for each city planned for, its districts."""
    analyses = analyses_visible_to(request.user).select_related("job", "created_by")[:30]
    districts = geography.districts_by_city(form.cities)
    return render(
        request,
        "planner/index.html",
        {
            "form": form,
            "analyses": analyses,
            "cities": [(city, districts.get(city.pk, [])) for city in form.cities],
        },
        status=status,
    )


@requires(can_plan)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _index(request, AnalysisForm(cities=cities_planned_by(request.user)))


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
    with transaction.atomic():
        analysis = Analysis.objects.create(
            city=form.cleaned_data["city"],
            kind=form.cleaned_data["kind"],
            params=form.params(),
            uploaded=uploaded,
            created_by=request.user,
        )
        analysis.job = job_enqueue(
            kind="planner.analysis",
            params={"analysis": analysis.pk},
            user=request.user,
            city=analysis.city_id,
        )
        analysis.save(update_fields=["job"])
    messages.success(request, "分析已提交，正在后台运行")
    return redirect(analysis)


def _analysis(request: HttpRequest, pk: int) -> Analysis:
    return get_in_scope_or_404(analyses_visible_to(request.user).select_related("job"), pk=pk)


@requires(can_plan)
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    analysis = _analysis(request, pk)
    return render(
        request,
        "planner/detail.html",
        {
            "a": analysis,
            "job": analysis.job,
            "summary": reports.summary(analysis),
            "layers": json.dumps(analysis.result.get("layers", {}), ensure_ascii=False),
            "boundaries": json.dumps(
                geography.districts_geojson(analysis.city_id), ensure_ascii=False
            ),
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

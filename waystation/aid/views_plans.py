"""Staff pages of plans: the plan years with their person-times, gifts to many members, one
form for a new plan and for every field of an existing one, a copy to a new year.

A plan is found by its code among the plans of the cities the account manages; codes are unique
within a city, so an account that manages several cities (a province's staff) names the city as
well (`?city=<adcode>`, which `plan_url` adds to every link it gives them)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from waystation.accounts.access import AnyUser, AuthenticatedHttpRequest, requires, scope_of
from waystation.accounts.models import Industry, Platform
from waystation.core.http import error_text, flash_errors

from . import selectors, services
from .access import (
    can_manage_aid_plans,
    can_manage_plans_of,
    can_work_on_aid,
    cities_managed_by,
    districts_of,
    gift_batches_visible_to,
    plans_visible_to,
    units_of,
)
from .forms import GiftForm, PlanCopyForm, PlanForm
from .models import Plan


def _names_city(user: AnyUser) -> bool:
    """Whether links to a plan name its city: for an account that manages several cities."""
    return len(scope_of(user).cities) > 1


def plan_url(name: str, plan: Plan, *, with_city: bool) -> str:
    """A plan page's URL (`aid:plan_edit`, `aid:plan_copy`), naming the city where needed."""
    url = reverse(name, args=[plan.code])
    return url + "?" + urlencode({"city": plan.city.adcode}) if with_city else url


@requires(can_work_on_aid)
def plans(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = plans_visible_to(request.user).select_related("city")
    form = GiftForm(
        request.POST or None,
        request.FILES or None,
        units=units_of(request.user),
        plans=visible,
    )
    form_error = ""
    if request.method == "POST":
        if form.is_valid():
            batch = services.gift_batch_start(gift=form.gift(), actor=request.user)
            messages.success(request, "已开始后台赠送参保，可在下方查看进度")
            return redirect(f"{request.path}?batch={batch.pk}")
        form_error = error_text(form)
    batches = gift_batches_visible_to(request.user).select_related("plan", "unit", "job")[:10]
    counts = {r["plan"]: r["n"] for r in selectors.enrolment_counts(request.user)}
    all_plans = list(visible)
    with_city = _names_city(request.user)
    for p in all_plans:  # for the template
        p.person_times = counts.get(p.pk, 0)  # type: ignore[attr-defined]
        if can_manage_plans_of(request.user, p.city_id):
            p.edit_url = plan_url("aid:plan_edit", p, with_city=with_city)  # type: ignore[attr-defined]
    return render(
        request,
        "aid/plans.html",
        {
            "plans": all_plans,
            "units": units_of(request.user),
            "districts": districts_of(request.user),
            "industries": Industry.objects.all(),
            "platforms": Platform.objects.all(),
            "batches": batches,
            "form_error": form_error,
            "can_manage": can_manage_aid_plans(request.user),
            "several_cities": len(scope_of(request.user).home_cities) > 1,
        },
    )


def _plan_to_manage(request: HttpRequest, code: str) -> Plan:
    """The plan of that code among those of the cities the account manages (and of the city
    the query names, if it names one), else 404."""
    qs = Plan.objects.filter(code=code, city__in=cities_managed_by(request.user))
    if request.GET.get("city"):
        qs = qs.filter(city__adcode=request.GET["city"])
    found = list(qs.select_related("city")[:2])
    if len(found) != 1:
        raise Http404
    return found[0]


@requires(can_manage_aid_plans)
def plan_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _plan_form(request, None)


@requires(can_manage_aid_plans)
def plan_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _plan_form(request, _plan_to_manage(request, code))


def _plan_form(request: AuthenticatedHttpRequest, plan: Plan | None) -> HttpResponse:
    """One form for a new plan and for every field of an existing one; the service's messages
    land beside the fields they concern."""
    initial = {} if plan else {"initial": _new_plan_initial()}
    form = PlanForm(
        request.POST or None, plan=plan, cities=cities_managed_by(request.user), **initial
    )
    if request.method == "POST" and form.is_valid():
        common = {"actor": request.user, "reason": form.cleaned_data["reason"]}
        try:
            if plan is None:
                code, city = form.cleaned_data["code"], form.cleaned_data["city"]
                saved = services.plan_create(code=code, city=city, **common, **form.plan_fields())
            else:
                saved = services.plan_update(plan=plan, **common, **form.plan_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"方案“{saved}”已保存")
            return redirect("aid:plans")
    context: dict[str, Any] = {"form": form, "plan": plan}
    if plan is not None:
        context["copy_url"] = plan_url("aid:plan_copy", plan, with_city=_names_city(request.user))
        context["person_times"] = plan.enrolments.count()
        context["copy_form"] = PlanCopyForm(initial={"year": plan.year + 1})
    return render(request, "aid/plan_form.html", context)


def _new_plan_initial() -> dict:
    year = timezone.localdate().year + 1
    return {
        "year": year,
        "start_date": f"{year}-01-01",
        "end_date": f"{year}-12-31",
        "min_age": 16,
        "max_age": 65,
        "waiting_days": 0,
        "contribution_yuan": 0,
        "self_enrol": True,
        "schedule": "[]",
    }


@require_POST
@requires(can_manage_aid_plans)
def plan_copy(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    plan = _plan_to_manage(request, code)
    form = PlanCopyForm(request.POST)
    if form.is_valid():
        try:
            new = services.plan_copy(
                plan=plan,
                year=form.cleaned_data["year"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已复制为 {new}，请核对后保存")
            return redirect(plan_url("aid:plan_edit", new, with_city=_names_city(request.user)))
    else:
        flash_errors(request, form)
    return redirect(plan_url("aid:plan_edit", plan, with_city=_names_city(request.user)))

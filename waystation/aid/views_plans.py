"""Staff pages of plans: the plan years with their person-times, gifts to many members, one
form for a new plan and for every field of an existing one, a copy to a new year."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from waystation.accounts.access import AuthenticatedHttpRequest, requires
from waystation.accounts.models import Platform
from waystation.accounts.orgs import DISTRICTS
from waystation.core.http import error_text, flash_errors
from waystation.members.access import members_visible_to

from . import selectors, services
from .access import can_manage_aid_plans, can_work_on_aid, units_of
from .forms import GiftForm, PlanCopyForm, PlanForm
from .models import GiftBatch, Plan


@requires(can_work_on_aid)
def plans(request: AuthenticatedHttpRequest) -> HttpResponse:
    from waystation.members.models import Member

    form = GiftForm(request.POST or None, request.FILES or None, units=units_of(request.user))
    form_error = ""
    if request.method == "POST":
        if form.is_valid():
            batch = services.gift_batch_start(gift=form.gift(), actor=request.user)
            messages.success(request, "已开始后台赠送参保，可在下方查看进度")
            return redirect(f"{request.path}?batch={batch.pk}")
        form_error = error_text(form)
    batches = GiftBatch.objects.select_related("plan", "unit", "job").filter(
        created_by=request.user
    )[:10]
    counts = {
        r["plan"]: r["n"] for r in selectors.enrolment_counts(members_visible_to(request.user))
    }
    all_plans = list(Plan.objects.all())
    for p in all_plans:
        p.person_times = counts.get(p.pk, 0)  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "aid/plans.html",
        {
            "plans": all_plans,
            "units": units_of(request.user),
            "districts": DISTRICTS,
            "industries": Member._meta.get_field("industry").choices,
            "platforms": Platform.objects.all(),
            "batches": batches,
            "form_error": form_error,
            "can_manage": can_manage_aid_plans(request.user),
        },
    )


def _plan_to_manage(request: HttpRequest, code: str) -> Plan:
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise Http404
    return plan


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
    form = PlanForm(request.POST or None, plan=plan, **initial)
    if request.method == "POST" and form.is_valid():
        common = {"actor": request.user, "reason": form.cleaned_data["reason"]}
        try:
            if plan is None:
                code = form.cleaned_data["code"]
                saved = services.plan_create(code=code, **common, **form.plan_fields())
            else:
                saved = services.plan_update(plan=plan, **common, **form.plan_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"方案“{saved}”已保存")
            return redirect("aid:plans")
    context: dict[str, Any] = {"form": form, "plan": plan}
    if plan is not None:
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
            return redirect("aid:plan_edit", code=new.code)
    else:
        flash_errors(request, form)
    return redirect("aid:plan_edit", code=plan.code)

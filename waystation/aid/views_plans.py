"""Staff pages of plans: the plan years with their person-times, gifts to many members, one
form for a new plan and for every field of an existing one, a copy to a new year."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from waystation.accounts.access import (
    can_manage_aid_plans,
    members_visible_to,
    staff_required,
    union_staff_required,
)
from waystation.accounts.models import Platform
from waystation.accounts.orgs import DISTRICTS
from waystation.core import xlsx

from . import selectors, services
from .forms import PlanCopyForm, PlanForm
from .models import GiftBatch, Plan
from .views_common import require, units_of


@union_staff_required
def plans(request):
    from waystation.members.models import Member

    form_error = ""
    if request.method == "POST":
        plan = Plan.objects.filter(pk=request.POST.get("plan") or 0).first()
        unit = units_of(request.user).filter(pk=request.POST.get("unit") or 0).first()
        upload = request.FILES.get("file")
        try:
            if plan is None or unit is None:
                raise ValidationError("请选择方案和赠送工会")
            numbers = None
            if upload is not None:
                if upload.size > 10 * 1024 * 1024:
                    raise ValidationError("名单文件过大")
                numbers = _numbers_from_upload(upload)
            batch = services.gift_batch_start(
                plan=plan,
                unit=unit,
                actor=request.user,
                filters={
                    k: request.POST.get(k, "")
                    for k in ("district", "industry", "platform", "status")
                },
                member_numbers=numbers,
            )
        except ValidationError as exc:
            form_error = "；".join(exc.messages)
        else:
            messages.success(request, "已开始后台赠送参保，可在下方查看进度")
            return redirect(f"{request.path}?batch={batch.pk}")
    batches = GiftBatch.objects.select_related("plan", "unit", "job").filter(
        created_by=request.user
    )[:10]
    counts = {
        r["plan"]: r["n"] for r in selectors.enrolment_counts(members_visible_to(request.user))
    }
    all_plans = list(Plan.objects.all())
    for p in all_plans:
        p.person_times = counts.get(p.pk, 0)
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


def _numbers_from_upload(upload) -> list[str]:
    """Member numbers from the first column of an .xlsx or a text/CSV file."""
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK"):  # checked, then read in a child process (XlsxError: a message)
        rows = xlsx.read(upload.read(), skip_empty_area=True)
        values = [str(r[0]).strip() for r in rows if r and r[0]]
    else:
        text = upload.read().decode("utf-8-sig", errors="replace")
        values = [line.split(",")[0].strip() for line in text.splitlines()]
    return [v for v in values if v.upper().startswith("CZ")]


def _plan_to_manage(request, code: str) -> Plan:
    require(request, can_manage_aid_plans)
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise Http404
    return plan


@staff_required
def plan_new(request):
    require(request, can_manage_aid_plans)
    return _plan_form(request, None)


@staff_required
def plan_edit(request, code: str):
    return _plan_form(request, _plan_to_manage(request, code))


def _plan_form(request, plan: Plan | None):
    """One form for a new plan and for every field of an existing one; the service's messages
    land beside the fields they concern."""
    initial = {} if plan else {"initial": _new_plan_initial()}
    form = PlanForm(request.POST or None, plan=plan, **initial)
    if request.method == "POST" and form.is_valid():
        common = {"actor": request.user, "reason": form.cleaned_data["reason"]}
        try:
            if plan is None:
                saved = services.plan_create(**common, **form.plan_fields())
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
@staff_required
def plan_copy(request, code: str):
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
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已复制为 {new}，请核对后保存")
            return redirect("aid:plan_edit", code=new.code)
    else:
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
    return redirect("aid:plan_edit", code=plan.code)

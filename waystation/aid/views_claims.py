"""Staff pages of mutual aid (being split by topic)."""

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from waystation.accounts.access import (
    can_approve_claims,
    can_manage_aid_plans,
    can_review_claims,
    claim_details_visible,
    members_visible_to,
    scope_of,
    staff_required,
    union_staff_required,
)
from waystation.accounts.models import OrgUnit, Platform
from waystation.accounts.orgs import DISTRICTS
from waystation.core import xlsx
from waystation.members.exports import XLSX

from . import selectors, services, workflow
from .benefits import yuan
from .forms import PlanCopyForm, PlanForm
from .models import Claim, Condolence, GiftBatch, Payout, PayoutBatch, Plan

PAGE_SIZE = 50


def _claims_staff(user) -> bool:
    scope = scope_of(user)
    return scope.is_union_staff or bool(scope.platforms)


@staff_required
def claims(request):
    if not _claims_staff(request.user):
        raise Http404
    qs = selectors.claims_filtered(request.user, request.GET).order_by("-submitted_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    if not scope_of(request.user).is_union_staff:  # a platform liaison: name, time, place
        return render(
            request,
            "aid/liaison_claims.html",
            {
                "page": page,
                "params": params.urlencode(),
                "platform_statuses": Claim.PlatformStatus.choices,
            },
        )
    return render(
        request,
        "aid/staff_claims.html",
        {
            "page": page,
            "params": params.urlencode(),
            "statuses": Claim.Status.choices,
            "platforms": Platform.objects.all(),
            "districts": DISTRICTS,
            "plans": Plan.objects.all(),
            "todo": selectors.claims_todo(request.user),
        },
    )


@staff_required
def claim(request, number: str):
    return _claim_page(request, selectors.claim_for_user(request.user, number))


# a service's field → the page's field, where they differ
PAGE_FIELD = {"override_fen": "override_yuan"}
# the fields whose messages the page shows beside them; any other message shows above the page
BESIDE_FIELD = {"override_yuan", "override_reason", "override"}


def _claim_page(
    request,
    c: Claim,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    posted: Any = None,
):
    """The claim for staff. After a refused step, the same page answering 400 (409 when the
    claim's state refused it), each message beside its field and what was typed (`posted`) kept."""
    errors = errors or {}
    can_confirm = c.platform_id in scope_of(request.user).platforms
    context: dict[str, Any] = {
        "claim": c,
        "can_confirm": can_confirm,
        "errors": {k: v for k, v in errors.items() if k in BESIDE_FIELD},
        "general_errors": [m for k, ms in errors.items() if k not in BESIDE_FIELD for m in ms],
        "posted": posted if errors else {},
    }
    if not claim_details_visible(request.user, c):  # a platform liaison: name, time, place
        return render(request, "aid/liaison_claim.html", context, status=status)
    can_approve = can_approve_claims(request.user)
    context.update(
        {
            "documents": c.documents.all(),
            "missing": c.missing_documents(),
            "payable": c.payable_amount() if c.status != Claim.Status.REJECTED else None,
            "payouts": c.payouts.all(),
            "can_review": can_review_claims(request.user),
            "can_approve": can_approve,
            "schedule": c.enrolment.plan.schedule,
            "asks_json": json.dumps(c.asks, ensure_ascii=False),
        }
    )
    if can_approve and c.status in workflow.CITY_STATES:
        context["override_ceiling"] = c.override_ceiling()
        context["second_approver_above"] = settings.AID_OVERRIDE_SECOND_APPROVER_FEN
        context["own_override"] = c.approved_by_id == request.user.pk
    return render(request, "aid/staff_claim.html", context, status=status)


ACTIONS = (
    "assess",
    "review",
    "return",
    "reject",
    "approve",
    "override-confirm",
    "override-decline",
    "confirm",
)


@require_POST
@staff_required
def claim_action(request, number: str, action: str):
    if action not in ACTIONS:
        raise Http404
    c = selectors.claim_for_user(request.user, number)
    note = request.POST.get("note", "")
    try:
        if action == "confirm":
            platform = Platform.objects.filter(
                pk=c.platform_id, pk__in=scope_of(request.user).platforms
            ).first()
            if platform is None:
                raise PermissionError
            services.claim_platform_confirm(
                claim=c,
                platform=platform,
                working=request.POST.get("working") == "yes",
                note=note,
                actor=request.user,
                request=request,
            )
        elif action == "assess":
            asks = {}
            for item in c.enrolment.plan.schedule:
                code, kind = item["code"], item["type"]
                raw = request.POST.get(f"ask_{code}", "").strip()
                if not raw:
                    continue
                if kind == "reimbursement":
                    asks[code] = {"amount": services.fen_from_yuan(raw, f"ask_{code}")}
                elif kind == "daily":
                    asks[code] = {"days": raw}
                elif kind == "disability":
                    asks[code] = {"grade": raw}
                else:
                    asks[code] = {}
            services.claim_assess(claim=c, asks=asks, actor=request.user, request=request)
        elif action == "review":
            services.claim_review(claim=c, actor=request.user, note=note, request=request)
        elif action == "return":
            services.claim_return(claim=c, actor=request.user, note=note, request=request)
        elif action == "reject":
            services.claim_reject(claim=c, actor=request.user, reason=note, request=request)
        elif action == "approve":
            raw = request.POST.get("override_yuan", "").strip()
            services.claim_approve(
                claim=c,
                actor=request.user,
                override_fen=services.fen_from_yuan(raw, "override_fen") if raw else None,
                override_reason=request.POST.get("override_reason", ""),
                request=request,
            )
        elif action == "override-confirm":
            services.claim_override_confirm(claim=c, actor=request.user, request=request)
        elif action == "override-decline":
            services.claim_override_decline(claim=c, actor=request.user, note=note, request=request)
    except PermissionError as exc:
        raise Http404 from exc
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _claim_page(
            request,
            c,
            {PAGE_FIELD.get(k, k): v for k, v in errors.items()},
            409 if isinstance(exc, services.ClaimStateError) else 400,
            posted=request.POST,
        )
    messages.success(request, "已保存")
    return redirect("aid:staff_claim", number=number)


# --- payouts -----------------------------------------------------------------------------------


def _require(request, allowed: Callable[[Any], bool]) -> None:
    """Pages for one kind of staff: everybody else gets 404, as for anything out of scope."""
    if not allowed(request.user):
        raise Http404


@staff_required
def payouts(request):
    _require(request, can_approve_claims)
    qs = selectors.payouts_filtered(request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "aid/payouts.html",
        {
            "page": page,
            "params": params.urlencode(),
            "statuses": Payout.Status.choices,
            "plans": Plan.objects.all(),
            "districts": DISTRICTS,
            "pending": Payout.objects.filter(status=Payout.Status.PENDING).count(),
            "batches": PayoutBatch.objects.all()[:20],
        },
    )


def _xlsx(data: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    resp["Cache-Control"] = "no-store"
    return resp


@require_POST
@staff_required
def payout_export(request):
    _require(request, can_approve_claims)
    ids = [int(x) for x in request.POST.getlist("payout") if x.isdigit()]
    try:
        batch, data = services.payout_batch_export(
            actor=request.user, payouts=Payout.objects.filter(pk__in=ids), request=request
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("aid:payouts")
    return _xlsx(data, f"payout-batch-{batch.pk}.xlsx")


@staff_required
def payout_batch_file(request, pk: int):
    _require(request, can_approve_claims)
    batch = PayoutBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise Http404
    return _xlsx(
        services.payout_batch_file(batch=batch, actor=request.user, request=request),
        f"payout-batch-{batch.pk}.xlsx",
    )


@require_POST
@staff_required
def payout_action(request, pk: int, action: str):
    _require(request, can_approve_claims)
    payout = Payout.objects.select_related("claim").filter(pk=pk).first()
    if payout is None or action not in ("paid", "failed", "reissue"):
        raise Http404
    try:
        if action == "paid":
            services.payout_mark_paid(
                payout=payout,
                bank_reference=request.POST.get("bank_reference", ""),
                actor=request.user,
                request=request,
            )
        elif action == "failed":
            services.payout_mark_failed(
                payout=payout, reason=request.POST.get("reason", ""), actor=request.user
            )
        else:
            services.payout_reissue(
                payout=payout,
                actor=request.user,
                bank_name=request.POST.get("bank_name", ""),
                bank_card=request.POST.get("bank_card", ""),
                request=request,
            )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已保存")
    return redirect("aid:payouts")


# --- plans and gifts ---------------------------------------------------------------------------


def _units(user):
    scope = scope_of(user)
    if scope.city:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(pk__in=scope.units)


@union_staff_required
def plans(request):
    from waystation.members.models import Member

    form_error = ""
    if request.method == "POST":
        plan = Plan.objects.filter(pk=request.POST.get("plan") or 0).first()
        unit = _units(request.user).filter(pk=request.POST.get("unit") or 0).first()
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
            "units": _units(request.user),
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
    _require(request, can_manage_aid_plans)
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise Http404
    return plan


@staff_required
def plan_new(request):
    _require(request, can_manage_aid_plans)
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
        common = {"actor": request.user, "reason": form.cleaned_data["reason"], "request": request}
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
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已复制为 {new}，请核对后保存")
            return redirect("aid:plan_edit", code=new.code)
    else:
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
    return redirect("aid:plan_edit", code=plan.code)


# --- condolence and statistics -----------------------------------------------------------------


@union_staff_required
def condolences(request):
    from django.contrib.auth import get_user_model

    from waystation.members.selectors import member_find

    error = ""
    approvers = get_user_model().objects.filter(roles__unit__kind="city").distinct()
    if request.method == "POST":
        p = request.POST
        member = member_find(request.user, p.get("member", ""))
        try:
            if member is None:
                raise ValidationError("会员号、手机号或身份证号不在您的范围内")
            services.condolence_record(
                member=member,
                visited_on=timezone.localdate()
                if not p.get("visited_on")
                else timezone.datetime.fromisoformat(p["visited_on"]).date(),
                cash_fen=services.fen_from_yuan(p.get("cash_yuan"), "cash"),
                goods=p.get("goods", ""),
                goods_value_fen=services.fen_from_yuan(p.get("goods_yuan"), "goods"),
                reason=p.get("reason", ""),
                approver=approvers.filter(pk=p.get("approver") or 0).first(),
                actor=request.user,
                unit=_units(request.user).first(),
                plan=Plan.objects.filter(pk=p.get("plan") or 0).first(),
                request=request,
            )
        except (ValidationError, ValueError) as exc:
            error = "；".join(getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(request, "慰问已登记")
            return redirect("aid:condolences")
    rows = Condolence.objects.filter(member__in=members_visible_to(request.user)).select_related(
        "member", "approver", "plan"
    )[:100]
    return render(
        request,
        "aid/condolences.html",
        {
            "rows": rows,
            "approvers": approvers,
            "plans": Plan.objects.filter(kind=Plan.Kind.SPECIAL),
            "error": error,
        },
    )


@union_staff_required
def stats(request):
    s = selectors.aid_stats(request.user, request.GET)
    s["paid_display"] = yuan(s["paid_fen"])
    s["condolence_display"] = yuan(s["condolence_fen"])
    years = sorted(set(Plan.objects.values_list("year", flat=True)))
    return render(request, "aid/stats.html", {"s": s, "years": years})

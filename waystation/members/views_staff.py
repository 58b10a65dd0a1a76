"""Staff pages for members: list, detail, reveal, status, transfer, card check, campaigns, stats."""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from waystation.accounts.access import (
    AnyUser,
    AuthenticatedHttpRequest,
    card_verifier_required,
    scope_of,
    union_staff_required,
)
from waystation.accounts.models import OrgUnit, Platform
from waystation.accounts.orgs import DISTRICTS, INDUSTRIES
from waystation.core.dbrouter import lagging_reads_view
from waystation.core.http import attachment, filter_params, flash_errors, paginate

from . import posters, selectors, services
from .access import can_export_members, member_for_staff
from .cards import card_token_read
from .exports import XLSX
from .forms import CampaignForm, ReasonForm, StatusForm, TransferForm
from .models import Campaign, Member

PAGE_SIZE = 50


def _units_in_scope(user: AnyUser) -> QuerySet[OrgUnit]:
    scope = scope_of(user)
    if scope.city:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(
        Q(district__in=scope.districts) | Q(industry__in=scope.industries) | Q(pk__in=scope.units)
    )


@union_staff_required
def member_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":  # exact search by phone or ID number: POST, then by hash
        filters = filter_params(request)
        q = request.POST.get("q", "").strip()
        if q.upper().startswith("CZ"):
            filters["number"] = q.upper()
        elif q:
            filters["qh"] = selectors.search_hash(q)
        return redirect(f"{request.path}?{filters.urlencode()}")
    qs = selectors.members_filtered(request.user, request.GET)
    page, params = paginate(request, qs.order_by("-joined_at", "-id"), PAGE_SIZE)
    return render(
        request,
        "members/staff_list.html",
        {
            "page": page,
            "params": params,
            "units": _units_in_scope(request.user),
            "districts": DISTRICTS,
            "industries": INDUSTRIES,
            "platforms": Platform.objects.all(),
            "statuses": Member.Status.choices,
            "channels": Member.Channel.choices,
        },
    )


@union_staff_required
def member_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_export_members(request.user):
        raise Http404
    data = services.member_export(actor=request.user, params=request.GET)
    return attachment(data, "members.xlsx", XLSX)


@union_staff_required
def member_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    member = member_for_staff(request.user, number)
    return render(
        request,
        "members/staff_detail.html",
        {
            "m": member,
            "platforms": member.platforms.all(),
            "reason_form": ReasonForm(),
            "status_form": StatusForm(),
            "transfer_form": TransferForm(),
            "units": OrgUnit.objects.exclude(pk=member.union_id),
            "revealed": None,
        },
    )


@require_POST
@union_staff_required
def member_reveal(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    member = member_for_staff(request.user, number)
    form = ReasonForm(request.POST)
    revealed = None
    if form.is_valid():
        revealed = services.member_reveal(
            member=member,
            fields=request.POST.getlist("fields"),
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    resp = render(
        request,
        "members/staff_detail.html",
        {
            "m": member,
            "platforms": member.platforms.all(),
            "reason_form": form,
            "status_form": StatusForm(),
            "transfer_form": TransferForm(),
            "units": OrgUnit.objects.exclude(pk=member.union_id),
            "revealed": revealed,
        },
    )
    resp["Cache-Control"] = "no-store"
    return resp


def _member_action(
    request: HttpRequest,
    number: str,
    form: forms.Form,
    invalid: str,
    act: Callable[[Member, dict[str, Any]], str],
) -> HttpResponse:
    """A staff action on one member: validate the form, call the service, say what happened."""
    member = member_for_staff(request.user, number)
    if not form.is_valid():
        messages.error(request, invalid)
    else:
        try:
            done = act(member, form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, done)
    return redirect("members:staff_detail", number=number)


@require_POST
@union_staff_required
def member_status(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def act(member: Member, data: dict[str, Any]) -> str:
        services.member_set_status(member=member, status=data["status"], reason=data["reason"],
                                   actor=request.user)  # fmt: skip
        return "会员状态已更新"

    return _member_action(request, number, StatusForm(request.POST), "请选择状态并填写理由", act)


@require_POST
@union_staff_required
def member_transfer(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def act(member: Member, data: dict[str, Any]) -> str:
        services.member_transfer(member=member, union=data["union"], reason=data["reason"],
                                 actor=request.user)  # fmt: skip
        return f"已转入{data['union'].name}"

    return _member_action(
        request, number, TransferForm(request.POST), "请选择转入工会并填写理由", act
    )


@card_verifier_required
def card_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff (keepers included) check a scanned card: valid, expired or forged."""
    if request.method == "POST":  # a posted token is looked up by GET, as the card's QR does
        posted = request.POST.get("t", "").strip()
        return redirect(f"{request.path}?{urlencode({'t': posted})}" if posted else request.path)
    token = (request.GET.get("t") or "").strip()
    result: dict = {}
    if token:
        try:
            number = card_token_read(token)
        except signing.SignatureExpired:
            result = {"ok": False, "message": "二维码已过期，请会员刷新会员卡"}
        except signing.BadSignature:
            result = {"ok": False, "message": "二维码无效（不是本平台签发的会员卡）"}
        else:
            member = Member.objects.select_related("union").filter(member_number=number).first()
            if member is None:
                result = {"ok": False, "message": "会员不存在"}
            else:
                result = {"ok": member.status == Member.Status.ACTIVE, "member": member}
                if not result["ok"]:
                    result["message"] = f"会员状态：{member.get_status_display()}"
    return render(request, "members/card_verify.html", {"result": result, "token": token})


@union_staff_required
def campaigns(request: AuthenticatedHttpRequest) -> HttpResponse:
    units = _units_in_scope(request.user)
    form = CampaignForm(request.POST or None)
    cast(forms.ModelChoiceField, form.fields["unit"]).queryset = units
    if request.method == "POST" and form.is_valid():
        if Campaign.objects.filter(code=form.cleaned_data["code"]).exists():
            form.add_error("code", "活动代码已被使用")
        else:
            c = Campaign.objects.create(**form.cleaned_data)
            messages.success(request, f"已创建活动“{c.name}”")
            return redirect("members:campaigns")
    qs = Campaign.objects.filter(unit__in=units).select_related("unit")
    return render(request, "members/campaigns.html", {"campaigns": qs, "form": form})


def _campaign_in_scope(request: HttpRequest, code: str) -> Campaign:
    c = Campaign.objects.filter(code=code, unit__in=_units_in_scope(request.user)).first()
    if c is None:
        raise Http404
    return c


@union_staff_required
def poster_png(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    c = _campaign_in_scope(request, code)
    return attachment(posters.poster_png(c), f"join-{c.code}.png", "image/png")


@union_staff_required
def poster_pdf(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    c = _campaign_in_scope(request, code)
    return attachment(posters.poster_pdf(c), f"join-{c.code}.pdf", "application/pdf")


@union_staff_required
@lagging_reads_view
def stats(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "members/stats.html", {"stats": selectors.member_stats(request.user)})

"""Staff pages for members: list, detail, reveal, status, transfer, campaigns, stats (the card
check is in views_cards.py)."""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waystation.accounts.access import (
    AnyUser,
    AuthenticatedHttpRequest,
    union_staff_required,
)
from waystation.accounts.models import District, OrgUnit, Platform
from waystation.core.charts import Chart, chart_download, with_query
from waystation.core.dbrouter import lagging_reads_view
from waystation.core.http import attachment, filter_params, flash_errors, paginate

from . import history, posters, selectors, services
from .access import (
    campaign_for_staff,
    campaigns_visible_to,
    can_export_members,
    districts_for_staff,
    member_for_staff,
    units_in_scope,
)
from .exports import XLSX
from .forms import CampaignForm, ReasonForm, StatusForm, TransferForm
from .models import Member

PAGE_SIZE = 50


def _district_choices(user: AnyUser) -> list[tuple[str, str]]:
    """The districts of the cities the user works in, named with their city when there are
    several (province staff)."""
    districts = list(districts_for_staff(user))
    several = len({d.city_id for d in districts}) > 1
    return [(d.code, f"{d.city.name} · {d.name}" if several else d.name) for d in districts]


_SEARCH_KEYS = ("number", "qh", "nh")


@union_staff_required
def member_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":  # search: POST, then the list by number or keyed hash
        filters = filter_params(request)
        for key in _SEARCH_KEYS:
            filters.pop(key, None)
        filters.update(selectors.search_params(request.POST.get("q", "")))
        return redirect(f"{request.path}?{filters.urlencode()}")
    qs = selectors.members_filtered(request.user, request.GET)
    sort = selectors.member_sort(request.GET)
    size = selectors.page_size(request.GET, PAGE_SIZE)
    page, params = paginate(request, qs.order_by(*selectors.MEMBER_SORTS[sort][1]), size)
    kept = filter_params(request)
    return render(
        request,
        "members/staff_list.html",
        {
            "page": page,
            "params": params,
            "searching": any(request.GET.get(k) for k in _SEARCH_KEYS),
            # the filters the sort, size and page-jump forms carry along (their own fields aside)
            "kept": [
                (k, v) for k, vs in kept.lists() if k not in ("sort", "size") for v in vs if v
            ],
            "search_kept": [(k, v) for k, vs in kept.lists() if k in _SEARCH_KEYS for v in vs],
            "sort": sort,
            "sorts": [(k, label) for k, (label, _o) in selectors.MEMBER_SORTS.items()],
            "size": size,
            "sizes": selectors.PAGE_SIZES,
            "units": units_in_scope(request.user),
            "districts": _district_choices(request.user),
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


def _detail(
    request: HttpRequest, member: Member, reason_form: ReasonForm, revealed: dict | None
) -> HttpResponse:
    return render(
        request,
        "members/staff_detail.html",
        {
            "m": member,
            "platforms": member.platforms.all(),
            "reason_form": reason_form,
            "status_form": StatusForm(current=member.status),
            "history": history.member_history(member),
            "transfer_form": TransferForm(),
            # A transfer may go to a union of any city (the sending side moves the member).
            "units": OrgUnit.objects.filter(city__isnull=False)
            .exclude(pk=member.union_id)
            .select_related("city")
            .order_by("city__adcode", "kind", "id"),
            "districts": District.objects.select_related("city").order_by(
                "city__adcode", "order", "code"
            ),
            "revealed": revealed,
        },
    )


@union_staff_required
def member_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return _detail(request, member_for_staff(request.user, number), ReasonForm(), None)


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
    resp = _detail(request, member, form, revealed)
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
                                 district=data["district"], actor=request.user)  # fmt: skip
        return _("已转入%(union)s") % {"union": data["union"].name}

    return _member_action(
        request, number, TransferForm(request.POST), "请选择转入工会并填写理由", act
    )


@union_staff_required
def campaigns(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    cast(forms.ModelChoiceField, form.fields["unit"]).queryset = units_in_scope(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.campaign_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("已创建活动“%(name)s”") % {"name": c.name})
            return redirect("members:campaigns")
    qs = campaigns_visible_to(request.user).select_related("unit")
    return render(request, "members/campaigns.html", {"campaigns": qs, "form": form})


@union_staff_required
def poster_png(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    c = campaign_for_staff(request.user, code)
    return attachment(posters.poster_png(c), f"join-{c.code}.png", "image/png")


@union_staff_required
def poster_pdf(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    c = campaign_for_staff(request.user, code)
    return attachment(posters.poster_pdf(c), f"join-{c.code}.pdf", "application/pdf")


@union_staff_required
@lagging_reads_view
def stats(request: AuthenticatedHttpRequest) -> HttpResponse:
    s = selectors.member_stats(request.user)
    people = _("人数")
    charts = with_query(
        request,
        [
            Chart("union", _("按工会"), "bar", s["by_union"], _("工会"), people),
            Chart("district", _("按区域"), "bar", s["by_district"], _("区域"), people),
            Chart("industry", _("按行业"), "bar", s["by_industry"], _("行业"), people),
            Chart("platform", _("按平台"), "bar", s["by_platform"], _("平台"), people),
            Chart("channel", _("按入会渠道"), "pie", s["by_channel"], _("入会渠道"), people),
            Chart(
                "weeks",
                _("每周入会人数"),
                "line",
                [{"name": r["week"], "n": r["n"]} for r in s["joins_per_week"]],
                _("周（起始日）"),
                _("入会人数"),
            ),
        ],
    )
    if (file := chart_download(request, charts, _("会员统计"))) is not None:
        return file
    return render(request, "members/stats.html", {"stats": s, "charts": charts})

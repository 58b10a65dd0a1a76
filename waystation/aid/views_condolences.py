"""Staff pages of condolence visits and of the aid statistics."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.access import AuthenticatedHttpRequest, NotInScope, requires, scope_of
from waystation.core.charts import Chart, chart_download, with_query
from waystation.core.dbrouter import lagging_reads_view

from . import selectors, services
from .access import can_work_on_aid, condolences_visible_to, plans_visible_to, unit_acting_in
from .benefits import yuan


@requires(can_work_on_aid)
def condolences(request: AuthenticatedHttpRequest) -> HttpResponse:
    from django.contrib.auth import get_user_model

    from waystation.members.selectors import member_find

    error = ""
    # the approvers: staff of the city federations of the cities the account works in
    approvers = (
        get_user_model()
        .objects.filter(
            roles__unit__kind="city",
            roles__unit__city__in=sorted(scope_of(request.user).home_cities),
        )
        .distinct()
    )
    if request.method == "POST":
        p = request.POST
        member = member_find(request.user, p.get("member", ""))
        try:
            if member is None:
                raise ValidationError("会员号、手机号或身份证号不在您的范围内")
            unit = unit_acting_in(request.user, member.city_id)
            if unit is None:  # no union of the member's city to act for
                raise NotInScope
            services.condolence_record(
                member=member,
                visited_on=timezone.localdate()
                if not p.get("visited_on")
                else datetime.fromisoformat(p["visited_on"]).date(),
                cash_fen=services.fen_from_yuan(p.get("cash_yuan"), "cash"),
                goods=p.get("goods", ""),
                goods_value_fen=services.fen_from_yuan(p.get("goods_yuan"), "goods"),
                reason=p.get("reason", ""),
                approver=approvers.filter(pk=p.get("approver") or 0).first(),
                actor=request.user,
                unit=unit,
                plan=plans_visible_to(request.user).filter(pk=p.get("plan") or 0).first(),
            )
        except (ValidationError, ValueError) as exc:
            error = "；".join(getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(request, "慰问已登记")
            return redirect("aid:condolences")
    rows = condolences_visible_to(request.user).select_related("member", "approver", "plan")[:100]
    return render(
        request,
        "aid/condolences.html",
        {
            "rows": rows,
            "approvers": approvers,
            "plans": plans_visible_to(request.user).filter(kind="special"),
            "error": error,
        },
    )


@requires(can_work_on_aid)
@lagging_reads_view
def stats(request: AuthenticatedHttpRequest) -> HttpResponse:
    s = selectors.aid_stats(request.user, request.GET)
    s["paid_display"] = yuan(s["paid_fen"])
    s["condolence_display"] = yuan(s["condolence_fen"])
    years = sorted(set(plans_visible_to(request.user).values_list("year", flat=True)))
    times, count, money = _("人次"), _("件数"), _("金额（元）")
    year, plan, pf, area = _("年度"), _("方案"), _("平台"), _("区域")
    charts = with_query(
        request,
        [
            Chart(key, title, kind, s[rows], name, value)
            for key, title, kind, rows, name, value in (
                ("enrol-year", _("参保人次 · 按年度"), "bar", "enrol_by_year", year, times),
                ("enrol-plan", _("参保人次 · 按方案"), "bar", "enrol_by_plan", plan, times),
                ("status", _("报案 · 按状态"), "pie", "claims_by_status", _("状态"), count),
                ("platform", _("报案 · 按平台"), "bar", "claims_by_platform", pf, count),
                ("district", _("报案 · 按区域"), "bar", "claims_by_district", area, count),
                ("paid-plan", _("给付金额 · 按方案"), "bar", "paid_by_plan", plan, money),
                ("paid-year", _("给付金额 · 按年度"), "bar", "paid_by_year", year, money),
                ("paid-pf", _("给付金额 · 按平台"), "bar", "paid_by_platform", pf, money),
                ("paid-area", _("给付金额 · 按区域"), "bar", "paid_by_district", area, money),
            )
        ],
    )
    if (file := chart_download(request, charts, _("互助统计"))) is not None:
        return file
    return render(request, "aid/stats.html", {"s": s, "years": years, "charts": charts})

"""Staff pages of condolence visits and of the aid statistics."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from waystation.accounts.access import AuthenticatedHttpRequest, requires
from waystation.core.dbrouter import lagging_reads_view
from waystation.members.access import members_visible_to

from . import selectors, services
from .access import can_work_on_aid, units_of
from .benefits import yuan
from .models import Condolence, Plan


@requires(can_work_on_aid)
def condolences(request: AuthenticatedHttpRequest) -> HttpResponse:
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
                else datetime.fromisoformat(p["visited_on"]).date(),
                cash_fen=services.fen_from_yuan(p.get("cash_yuan"), "cash"),
                goods=p.get("goods", ""),
                goods_value_fen=services.fen_from_yuan(p.get("goods_yuan"), "goods"),
                reason=p.get("reason", ""),
                approver=approvers.filter(pk=p.get("approver") or 0).first(),
                actor=request.user,
                unit=units_of(request.user).first(),  # type: ignore[arg-type]  # every role has a unit
                plan=Plan.objects.filter(pk=p.get("plan") or 0).first(),
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


@requires(can_work_on_aid)
@lagging_reads_view
def stats(request: AuthenticatedHttpRequest) -> HttpResponse:
    s = selectors.aid_stats(request.user, request.GET)
    s["paid_display"] = yuan(s["paid_fen"])
    s["condolence_display"] = yuan(s["condolence_fen"])
    years = sorted(set(Plan.objects.values_list("year", flat=True)))
    return render(request, "aid/stats.html", {"s": s, "years": years})

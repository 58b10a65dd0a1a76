"""Staff pages of payouts: the list, bank batch files, each transfer marked paid, failed or
re-issued. City approvers only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from waystation.accounts.access import (
    AuthenticatedHttpRequest,
    get_in_scope_or_404,
    requires,
    scope_of,
)
from waystation.accounts.models import District
from waystation.core.http import attachment, flash_errors, paginate
from waystation.members.exports import XLSX

from . import bank_templates, selectors, services
from .access import (
    can_approve_claims,
    cities_managed_by,
    payout_batches_visible_to,
    payouts_visible_to,
)
from .models import Payout, Plan
from .views_common import PAGE_SIZE


@requires(can_approve_claims)
def payouts(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = selectors.payouts_filtered(request.user, request.GET)
    page, params = paginate(request, qs, PAGE_SIZE)
    cities = cities_managed_by(request.user)
    several = len(scope_of(request.user).cities) > 1
    return render(
        request,
        "aid/payouts.html",
        {
            "page": page,
            "params": params,
            "statuses": Payout.Status.choices,
            "plans": Plan.objects.filter(city__in=cities),
            "districts": District.objects.filter(city__in=cities),
            "cities": cities if several else [],
            "pending": payouts_visible_to(request.user)
            .filter(status=Payout.Status.PENDING)
            .count(),
            "batches": payout_batches_visible_to(request.user)[:20],
            "templates": bank_templates.TEMPLATES,
            "template": request.GET.get("template") or bank_templates.DEFAULT,
        },
    )


def _xlsx(data: bytes, name: str) -> HttpResponse:
    return attachment(data, name, XLSX, headers={"Cache-Control": "no-store"})


@require_POST
@requires(can_approve_claims)
def payout_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("payout") if x.isdigit()]
    try:
        batch, data = services.payout_batch_export(
            actor=request.user,
            payouts=payouts_visible_to(request.user).filter(pk__in=ids),
            template=request.POST.get("template") or bank_templates.DEFAULT,
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("aid:payouts")
    return _xlsx(data, f"payout-batch-{batch.pk}-{batch.bank_template}.xlsx")


@requires(can_approve_claims)
def payout_batch_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_in_scope_or_404(payout_batches_visible_to(request.user), pk=pk)
    return _xlsx(
        services.payout_batch_file(batch=batch, actor=request.user),
        f"payout-batch-{batch.pk}-{batch.bank_template}.xlsx",
    )


@require_POST
@requires(can_approve_claims)
def payout_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    payout = payouts_visible_to(request.user).select_related("claim").filter(pk=pk).first()
    if payout is None or action not in ("paid", "failed", "reissue"):
        raise Http404
    try:
        if action == "paid":
            services.payout_mark_paid(
                payout=payout,
                bank_reference=request.POST.get("bank_reference", ""),
                actor=request.user,
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
            )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已保存")
    return redirect("aid:payouts")

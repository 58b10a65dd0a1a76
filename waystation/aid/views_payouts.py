"""Staff pages of payouts: the list, bank batch files, each transfer marked paid, failed or
re-issued. City approvers only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from waystation.accounts.access import AuthenticatedHttpRequest, requires
from waystation.accounts.orgs import DISTRICTS
from waystation.core.http import attachment, flash_errors, paginate
from waystation.members.exports import XLSX

from . import selectors, services
from .access import can_approve_claims
from .models import Payout, PayoutBatch, Plan
from .views_common import PAGE_SIZE


@requires(can_approve_claims)
def payouts(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = selectors.payouts_filtered(request.GET)
    page, params = paginate(request, qs, PAGE_SIZE)
    return render(
        request,
        "aid/payouts.html",
        {
            "page": page,
            "params": params,
            "statuses": Payout.Status.choices,
            "plans": Plan.objects.all(),
            "districts": DISTRICTS,
            "pending": Payout.objects.filter(status=Payout.Status.PENDING).count(),
            "batches": PayoutBatch.objects.all()[:20],
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
            actor=request.user, payouts=Payout.objects.filter(pk__in=ids)
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("aid:payouts")
    return _xlsx(data, f"payout-batch-{batch.pk}.xlsx")


@requires(can_approve_claims)
def payout_batch_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = PayoutBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise Http404
    return _xlsx(
        services.payout_batch_file(batch=batch, actor=request.user),
        f"payout-batch-{batch.pk}.xlsx",
    )


@require_POST
@requires(can_approve_claims)
def payout_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    payout = Payout.objects.select_related("claim").filter(pk=pk).first()
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

"""Staff pages of claims: the list in scope, one claim with its review and approval steps."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waystation.accounts.access import (
    AuthenticatedHttpRequest,
    NotInScope,
    requires,
    scope_of,
    staff_required,
)
from waystation.accounts.models import District, Industry, Platform
from waystation.core.confirm import Confirm, carried, confirmed
from waystation.core.http import paginate

from . import progress, selectors, services, workflow
from .access import (
    can_approve_in,
    can_review_claims,
    can_see_claims,
    claim_details_visible,
    districts_of,
    plans_visible_to,
)
from .benefits import describe_ask, yuan
from .forms import AssessForm
from .models import Claim
from .views_common import PAGE_SIZE


@requires(can_see_claims)
def claims(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = selectors.claims_filtered(request.user, request.GET).order_by("-submitted_at", "-id")
    page, params = paginate(request, qs, PAGE_SIZE)
    if not scope_of(request.user).is_union_staff:  # a platform liaison: name, time, place
        return render(
            request,
            "aid/liaison_claims.html",
            {
                "page": page,
                "params": params,
                "platform_statuses": Claim.PlatformStatus.choices,
            },
        )
    return render(
        request,
        "aid/staff_claims.html",
        {
            "page": page,
            "params": params,
            "statuses": Claim.Status.choices,
            "platforms": Platform.objects.all(),
            "districts": districts_of(request.user),
            "plans": plans_visible_to(request.user),
            "todo": selectors.claims_todo(request.user),
        },
    )


@staff_required
def claim(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return _claim_page(request, selectors.claim_for_user(request.user, number))


# a service's field → the page's field, where they differ
PAGE_FIELD = {"override_fen": "override_yuan"}
# the fields whose messages the page shows beside them; any other message shows above the page
BESIDE_FIELD = {"override_yuan", "override_reason", "override"}


def _claim_page(
    request: HttpRequest,
    c: Claim,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    posted: Any = None,
) -> HttpResponse:
    """The claim for staff. After a refused step, the same page answering 400 (409 when the
    claim's state refused it), each message beside its field and what was typed (`posted`) kept."""
    errors = errors or {}
    can_confirm = (c.city_id, c.platform_id) in scope_of(request.user).platforms
    answered = c.platform_status in (Claim.PlatformStatus.CONFIRMED, Claim.PlatformStatus.DENIED)
    # the assessment form shows its own messages beside its fields
    assess_form = AssessForm(posted if errors else None, schedule=c.enrolment.plan.schedule)
    beside = BESIDE_FIELD | set(assess_form.fields)
    context: dict[str, Any] = {
        "claim": c,
        "can_confirm": can_confirm and c.status in workflow.GATHERING,
        "platform_answered": answered,
        "errors": {k: v for k, v in errors.items() if k in BESIDE_FIELD},
        "general_errors": [m for k, ms in errors.items() if k not in beside for m in ms],
        "posted": posted if errors else {},
    }
    if not claim_details_visible(request.user, c):  # a platform liaison: name, time, place
        return render(request, "aid/liaison_claim.html", context, status=status)
    can_approve = can_approve_in(request.user, c.city_id)
    member = c.member
    missing = c.missing_documents()
    plan = c.enrolment.plan
    context.update(
        {
            "member_district": District.objects.filter(code=member.work_district_id).first(),
            "member_industry": Industry.objects.filter(code=member.industry_id).first(),
            "steps": progress.claim_steps(c, progress.live_or_last_payout(c), missing),
            "review_blockers": c.review_blockers(missing),
            "documents": c.documents.all(),
            "missing": missing,
            "payable": c.payable_amount() if c.status != Claim.Status.REJECTED else None,
            "payouts": c.payouts.all(),
            "can_review": can_review_claims(request.user),
            "can_approve": can_approve,
            "assess_form": assess_form,
            "asks_words": [
                describe_ask(item, c.asks[code])
                for code in c.asks
                if (item := plan.item(code)) is not None
            ],
        }
    )
    if can_approve and c.status in workflow.CITY_STATES:
        context["override_ceiling"] = c.override_ceiling()
        context["second_approver_above"] = settings.AID_OVERRIDE_SECOND_APPROVER_FEN
        context["own_override"] = c.approved_by_id == request.user.pk
    return render(request, "aid/staff_claim.html", context, status=status)


ACTIONS = (
    "correct",
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
def claim_action(request: AuthenticatedHttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    c = selectors.claim_for_user(request.user, number)
    note = request.POST.get("note", "")
    try:
        if action in ("approve", "override-confirm") and not confirmed(request):
            return _money_confirm(request, c, action)
        if action == "correct":
            if c.platform is None:
                raise NotInScope
            services.claim_platform_correct(
                claim=c,
                platform=c.platform,
                working=request.POST.get("working") == "yes",
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        elif action == "confirm":
            if c.platform is None:  # no platform to confirm for
                raise NotInScope
            services.claim_platform_confirm(
                claim=c,
                platform=c.platform,
                working=request.POST.get("working") == "yes",
                note=note,
                actor=request.user,
            )
        elif action == "assess":
            form = AssessForm(request.POST, schedule=c.enrolment.plan.schedule)
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            services.claim_assess(claim=c, asks=form.asks(), actor=request.user)
        elif action == "review":
            services.claim_review(claim=c, actor=request.user, note=note)
        elif action == "return":
            services.claim_return(claim=c, actor=request.user, note=note)
        elif action == "reject":
            services.claim_reject(claim=c, actor=request.user, reason=note)
        elif action == "approve":
            raw = request.POST.get("override_yuan", "").strip()
            services.claim_approve(
                claim=c,
                actor=request.user,
                override_fen=services.fen_from_yuan(raw, "override_fen") if raw else None,
                override_reason=request.POST.get("override_reason", ""),
            )
        elif action == "override-confirm":
            services.claim_override_confirm(claim=c, actor=request.user)
        elif action == "override-decline":
            services.claim_override_decline(claim=c, actor=request.user, note=note)
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


def _money_confirm(request: AuthenticatedHttpRequest, c: Claim, action: str) -> HttpResponse:
    """Approving money asks once more, with the amount and who receives it, before it acts (a
    typed override that is not an amount is refused here already, beside its field)."""
    raw = request.POST.get("override_yuan", "").strip()
    payable = c.payable_amount()
    facts = [
        (_("报案"), f"{c.number} · {c.member.name}"),
        (_("收款"), f"{c.account_name} · {c.bank_name} · {c.bank_card_masked}"),
    ]
    warning = ""
    if action == "approve":
        override = services.fen_from_yuan(raw, "override_fen") if raw else None
        amount = services.claim_approve_check(
            claim=c,
            actor=request.user,
            override_fen=override,
            override_reason=request.POST.get("override_reason", ""),
        )
        facts.append((_("按方案计算"), yuan(payable.total)))
        if override is not None and override != payable.total:
            facts.append((_("调整为"), yuan(override)))
            facts.append((_("调整理由"), request.POST.get("override_reason", "")))
            if override > settings.AID_OVERRIDE_SECOND_APPROVER_FEN:
                above = yuan(settings.AID_OVERRIDE_SECOND_APPROVER_FEN)
                warning = _(
                    "调整金额超过 %(above)s：提交后须另一位市级审批人复核，才生成付款。"
                ) % {"above": above}
        title = _("确认批准给付 %(amount)s") % {"amount": yuan(amount)}
        button = _("确认批准并生成付款")
    else:
        amount = services.claim_override_confirm_check(claim=c, actor=request.user)
        facts += [
            (_("按方案计算"), yuan(payable.total)),
            (_("调整为"), yuan(amount)),
            (_("调整理由"), c.override_reason),
            (_("提出人"), str(c.approved_by)),
        ]
        title = _("确认复核通过调整金额 %(amount)s") % {"amount": yuan(amount)}
        button = _("确认复核并生成付款")
    warning = warning or _("批准后生成待付款项，不能撤回；导出银行文件后由银行打款。")
    confirm = Confirm(
        title=title,
        action=reverse("aid:claim_action", args=[c.number, action]),
        button=button,
        back=reverse("aid:staff_claim", args=[c.number]),
        facts=facts,
        warning=warning,
        carry=carried(request, "override_yuan", "override_reason"),
    )
    return render(request, "aid/staff_confirm.html", {"confirm": confirm, "claim": c})

"""Member pages (phone first): my cover, self-enrolment, report a claim, upload documents."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from waystation.core.confirm import Confirm, confirmed
from waystation.core.http import content_disposition, flash_errors
from waystation.members.middleware import MemberRequest
from waystation.members.models import Member

from . import progress, selectors, services
from .access import claim_documents_visible_to
from .forms import ClaimForm, DocumentForm
from .models import ClaimDocument, Enrolment, Plan


def _member(request: MemberRequest) -> Member | None:
    if not request.member:
        return None
    return request.member


def _login(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('members:login')}?next={request.path}")


@never_cache
def my_aid(request: MemberRequest) -> HttpResponse:
    member = _member(request)
    if member is None:
        return _login(request)
    today = timezone.localdate()
    ctx = selectors.member_cover(member, today)
    ctx["terms"] = [selectors.plan_terms(p, today) for p in ctx["open_plans"]]
    claims = list(
        member.claims.select_related("enrolment__plan", "platform")
        .prefetch_related("payouts")
        .order_by("-submitted_at")
    )
    for c in claims:
        c.words = progress.member_words(  # type: ignore[attr-defined]
            c, progress.live_or_last_payout(c)
        )
    ctx["claims"] = claims
    ctx["today"] = today
    return render(request, "aid/my_aid.html", ctx)


def _enrol_confirm(request: MemberRequest, plan: Plan) -> HttpResponse:
    """The plan's terms once more, as facts, before the member commits to them."""
    t = selectors.plan_terms(plan, timezone.localdate())
    facts = [
        (_("方案"), str(plan)),
        (_("谁出钱"), t["who_pays"]),
        (_("等待期"), t["waiting"]),
        (_("保障期"), t["period"]),
    ]
    facts += [(_("保障"), line) for line in t["items"]]
    confirm = Confirm(
        title=_("确认参加“%(name)s”") % {"name": plan.name},
        action=reverse("aid:enrol", args=[plan.code]),
        button=_("确认参加"),
        back=reverse("aid:my_aid"),
        facts=facts,
        warning=t["warning"],
    )
    return render(request, "aid/enrol_confirm.html", {"confirm": confirm, "plan": plan})


@require_POST
def enrol(request: MemberRequest, code: str) -> HttpResponse:
    member = _member(request)
    if member is None:
        return _login(request)
    plan = selectors.plans_open_to(member).filter(code=code).first()
    if plan is None:
        raise Http404
    why = plan.eligibility_error(member, timezone.localdate())
    if not confirmed(request) and not why:
        return _enrol_confirm(request, plan)
    try:
        e = services.enrolment_self(member=member, plan=plan)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("已参加“%(name)s”，保障自 %(start)s 起，至 %(end)s 止")
            % {
                "name": plan.name,
                "start": f"{e.covered_from:%Y年%-m月%-d日}",
                "end": f"{e.covered_to:%Y年%-m月%-d日}",
            },
        )
    return redirect("aid:my_aid")


@require_POST
def sms_setting(request: MemberRequest) -> HttpResponse:
    """The member's own setting: a text message at each step of their claims, or none."""
    member = _member(request)
    if member is None:
        return _login(request)
    services.member_aid_sms_set(member=member, on=request.POST.get("sms") == "on")
    messages.success(
        request,
        _("已开启理赔进度短信") if request.POST.get("sms") == "on" else _("已关闭理赔进度短信"),
    )
    return redirect("aid:my_aid")


@never_cache
def claim_new(request: MemberRequest) -> HttpResponse:
    member = _member(request)
    if member is None:
        return _login(request)
    last_year = timezone.localdate().year - 1  # last year's incidents may still be claimed
    enrolments = list(
        Enrolment.objects.filter(member=member, plan__year__gte=last_year).select_related("plan")
    )
    if not enrolments:
        messages.info(request, "您还没有参加互助保障，请先参保")
        return redirect("aid:my_aid")
    form = ClaimForm(request.POST or None, member=member, enrolments=enrolments)
    if request.method == "POST" and form.is_valid():
        claim = services.claim_report(member=member, report=form.report())
        messages.success(request, f"已报案，编号 {claim.number}。请上传材料。")
        return redirect("aid:claim", number=claim.number)
    return render(request, "aid/claim_new.html", {"form": form})


@never_cache
def claim_detail(request: MemberRequest, number: str) -> HttpResponse:
    member = _member(request)
    if member is None:
        return _login(request)
    claim = selectors.claim_for_member(member, number)
    missing = claim.missing_documents()
    payout = progress.live_or_last_payout(claim)
    return render(
        request,
        "aid/claim_detail.html",
        {
            "claim": claim,
            "steps": progress.claim_steps(claim, payout, missing),
            "documents": claim.documents.all(),
            "missing": missing,
            "payout": payout,
            "form": DocumentForm(),
        },
    )


@require_POST
def document_upload(request: MemberRequest, number: str) -> HttpResponse:
    member = _member(request)
    if member is None:
        return _login(request)
    claim = selectors.claim_for_member(member, number)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.claim_document_add(
                claim=claim,
                doc_type=form.cleaned_data["doc_type"],
                upload=form.cleaned_data["file"],
                member=member,
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "材料已上传")
    else:
        messages.error(request, "请选择材料类型和文件")
    return redirect("aid:claim", number=number)


@require_POST
def claim_resubmit(request: MemberRequest, number: str) -> HttpResponse:
    member = _member(request)
    if member is None:
        return _login(request)
    claim = selectors.claim_for_member(member, number)
    try:
        services.claim_resubmit(claim=claim, member=member)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已重新提交，等待审核")
    return redirect("aid:claim", number=number)


def document_file(request: MemberRequest, pk: int) -> FileResponse:
    """A claim document, streamed to the claimant or to staff who may see the claim."""
    doc = ClaimDocument.objects.select_related("claim").filter(pk=pk).first()
    if doc is None:
        raise Http404
    member = getattr(request, "member", None)
    allowed = bool(member) and doc.claim.member_id == getattr(member, "pk", None)
    if not allowed and request.user.is_authenticated:
        allowed = claim_documents_visible_to(request.user).filter(pk=doc.claim_id).exists()
    if not allowed:
        raise Http404
    path = services.document_path(doc)
    if not path.exists():
        raise Http404
    resp = FileResponse(open(path, "rb"), content_type=doc.content_type)  # noqa: SIM115
    # Images show inline for reviewers; PDFs download, so no PDF viewer runs an uploaded file in
    # the site's origin. The sandbox policy covers whatever a browser renders anyway.
    resp["Content-Disposition"] = content_disposition(
        f"{doc.doc_type}-{doc.pk}{path.suffix}", inline=doc.content_type.startswith("image/")
    )
    resp["Content-Security-Policy"] = "sandbox"
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp

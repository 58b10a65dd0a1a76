"""Worker pages: scan-to-join, sign-in by SMS code, the electronic card."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from waystation.core.net import client_ip
from waystation.core.ratelimit import RateLimited

from . import services, sms
from .cards import card_token
from .forms import JoinForm, LoginForm
from .middleware import SESSION_KEY
from .models import Campaign
from .validators import clean_phone


def _add_errors(form, exc: ValidationError) -> None:
    for field, errs in exc.message_dict.items():
        target = field if field in form.fields else None
        if field == "platform":
            target = "platforms"
        if field == "consent_version":
            target = "consent"
        for e in errs:
            form.add_error(target, e)


def _send_code(request, form, purpose: str) -> None:
    try:
        phone = clean_phone(request.POST.get("phone", ""))
        sms.sms_send(phone=phone, purpose=purpose, ip=client_ip(request))
    except ValidationError as exc:
        msgs = (
            exc.message_dict.get("phone", exc.messages)
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        for m in msgs:
            form.add_error("phone", m)
        return
    messages.success(request, f"验证码已发送，{settings.SMS_CODE_TTL_SECONDS // 60}分钟内有效")


def _sign_in(request, member) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = member.pk


@never_cache
def join(request, code: str):
    campaign = Campaign.objects.filter(code=code, active=True).select_related("unit").first()
    if campaign is None:
        raise Http404
    form = JoinForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            # Keep what was typed, check only the phone now; the rest is checked on submit.
            form = JoinForm(initial=request.POST.dict())
            form.fields["platforms"].initial = request.POST.getlist("platforms")
            _send_code(request, form, "join")
        elif form.is_valid():
            try:
                result = services.member_join(
                    data=form.service_data(campaign.code), ip=client_ip(request)
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if not result.phone_verified:
                    messages.info(request, "该身份证号已入会，请用入会时登记的手机号登录。")
                    return redirect("members:login")
                _sign_in(request, result.member)
                if result.created:
                    messages.success(request, "入会成功，欢迎加入工会大家庭！")
                else:
                    messages.info(request, "您已经是工会会员，这是您的会员卡。")
                return redirect("members:card")
    return render(request, "members/join.html", {"form": form, "campaign": campaign})


def _next_url(request) -> str:
    """Where to go after signing in: `next` if it stays on this site, else the card."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("members:card")


@never_cache
def login(request):
    form = LoginForm(request.POST or None)
    limited = None
    if request.method == "POST":
        if request.POST.get("action") == "send_code":
            form = LoginForm(initial={"phone": request.POST.get("phone", "")})
            _send_code(request, form, "login")
        elif form.is_valid():
            try:
                member = services.member_login(
                    phone=form.cleaned_data["phone"],
                    code=form.cleaned_data["sms_code"],
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
                limited = exc if isinstance(exc, RateLimited) else None
            else:
                _sign_in(request, member)
                return redirect(_next_url(request))
    response = render(request, "members/login.html", {"form": form}, status=429 if limited else 200)
    if limited:
        response["Retry-After"] = str(limited.retry_after)
    return response


@require_POST
def logout(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("members:login")


@never_cache
def card(request):
    member = request.member or None
    if member is None:
        return redirect(f"{reverse('members:login')}?next={reverse('members:card')}")
    return render(
        request,
        "members/card.html",
        {"m": member, "refresh_seconds": max(30, settings.CARD_TOKEN_TTL_SECONDS - 60)},
    )


@never_cache
def card_qr(request):
    member = request.member or None
    if member is None:
        raise Http404
    url = (
        settings.SITE_URL
        + reverse("members:card_verify")
        + "?t="
        + card_token(member.member_number)
    )
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=4, border=2, xmldecl=False)
    return HttpResponse(buf.getvalue(), content_type="image/svg+xml")

"""Worker pages: scan-to-join, sign-in by SMS code (the electronic card is in views_cards.py)."""

import json
import time
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from waystation.core.net import client_ip
from waystation.core.ratelimit import RateLimited
from waystation.privacy import crypto

from . import selectors, services, sms
from .middleware import SESSION_KEY
from .models import Campaign, Member
from .validators import clean_phone

# Where the service's fields show on the page; anything else (campaign …) above the form, as
# "form" (template variables cannot start with an underscore).
_ERROR_TARGET = {"platform": "platforms", "consent_version": "consent"}
_PAGE_FIELDS = {"name", "id_number", "phone", "sms_code", "industry", "platforms", "district",
                "consent"}  # fmt: skip
DRAFT_KEY = "members:draft"


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"form": exc.messages}
    out: dict[str, list[str]] = {}
    for field, messages_ in exc.message_dict.items():
        target = _ERROR_TARGET.get(field, field)
        out.setdefault(target if target in _PAGE_FIELDS else "form", []).extend(messages_)
    return out


def _page(
    request: HttpRequest, template: str, context: dict, exc: ValidationError | None = None
) -> HttpResponse:
    """Render a page of the join or sign-in flow; with the error that stopped a POST beside its
    field, as 429 with Retry-After when it was a limit (the button counts the wait down)."""
    # Missing keys read as empty without a failed lookup each (Django's template engine answers
    # a missing dict key by trying attributes and dir(): measurable on the busiest page).
    context["errors"] = defaultdict(list, _errors(exc) if exc is not None else {})
    context["v"] = defaultdict(str, context.get("v") or {})
    limited = exc if isinstance(exc, RateLimited) else None
    context.setdefault("resend_after", limited.retry_after if limited else 0)
    response = render(request, template, context, status=429 if limited else 200)
    if limited:
        response["Retry-After"] = str(limited.retry_after)
    return response


# What was typed survives the redirect after a code is sent (post/redirect/get), kept in the
# session only while a code lives, encrypted as personal data is everywhere at rest.
def _draft_save(request: HttpRequest, page: str, values: dict) -> None:
    request.session[f"{DRAFT_KEY}:{page}"] = crypto.encrypt(
        json.dumps({"at": time.time(), "values": values})
    )


def _draft_load(request: HttpRequest, page: str) -> dict | None:
    token = request.session.get(f"{DRAFT_KEY}:{page}")
    if not token:
        return None
    try:
        draft = json.loads(crypto.decrypt(token))
    except ValueError:  # written under a key since removed: start afresh
        draft = {"at": 0}
    if time.time() - draft["at"] > settings.SMS_CODE_TTL_SECONDS:
        del request.session[f"{DRAFT_KEY}:{page}"]
        return None
    return draft["values"]


def _draft_clear(request: HttpRequest, page: str) -> None:
    request.session.pop(f"{DRAFT_KEY}:{page}", None)


def _code_sent(request: HttpRequest, page: str, values: dict) -> HttpResponse:
    _draft_save(request, page, values)
    messages.success(
        request,
        _("验证码已发送，%(n)d分钟内有效") % {"n": settings.SMS_CODE_TTL_SECONDS // 60},
    )
    return redirect(request.get_full_path())


def _resend_after(request: HttpRequest, values: dict) -> int:
    try:
        phone = clean_phone(values.get("phone", ""))
    except ValidationError:
        return 0
    return sms.resend_wait(phone=phone, ip=client_ip(request))


def _sign_in(request: HttpRequest, member: Member) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = member.pk


def _join_values(post: QueryDict) -> dict:
    """What the person typed on the join page, to check and to show again."""
    values: dict[str, Any] = {
        f: post.get(f, "")
        for f in ("name", "id_number", "phone", "sms_code", "industry", "district")
    }
    values["platforms"] = post.getlist("platforms")
    values["consent"] = bool(post.get("consent"))
    return values


def _join_data(campaign: Campaign, values: dict) -> dict:
    """The page's fields in the shape the service (and the API) takes."""
    data = {k: v for k, v in values.items() if k != "consent"}
    data["campaign"] = campaign.code
    data["consent_version"] = settings.PRIVACY_NOTICE_VERSION if values["consent"] else ""
    return data


@never_cache
def join(request: HttpRequest, code: str) -> HttpResponse:
    campaign = Campaign.objects.filter(code=code).select_related("unit", "city").first()
    if campaign is None or not campaign.active:
        return _campaign_gone(request, campaign)
    context: dict = {
        "campaign": campaign,
        "choices": selectors.join_choices(campaign.city_id),
        "notice_version": settings.PRIVACY_NOTICE_VERSION,
    }
    if request.method != "POST":
        values = _draft_load(request, "join") or {}
        context["v"] = values
        context["resend_after"] = _resend_after(request, values) if values else 0
        return _page(request, "members/join.html", context)
    values = context["v"] = _join_values(request.POST)
    data = _join_data(campaign, values)
    try:
        if request.POST.get("action") == "send_code":
            services.join_code_send(data=data, ip=client_ip(request))
            return _code_sent(request, "join", {**values, "sms_code": ""})
        result = services.member_join(data=data, ip=client_ip(request))
    except ValidationError as exc:
        return _page(request, "members/join.html", context, exc)
    _draft_clear(request, "join")
    _sign_in(request, result.member)
    if result.created:
        messages.success(request, "入会成功，欢迎加入工会大家庭！")
    else:
        messages.info(request, "您已经是工会会员，这是您的会员卡。")
    return redirect("members:card")


def _campaign_gone(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    """An old poster's link: say so and offer the city's standing way to join. 404 when the
    code never existed; 410 Gone when the campaign existed and has ended, so that link
    checkers and crawlers drop it for good and staff logs can tell a typo from a dead poster
    (the page itself reads the same to a person either way). The standing campaign offered is
    the ended campaign's city's."""
    default = selectors.default_campaign(campaign.city_id if campaign is not None else None)
    context = {"campaign": campaign, "default": default}
    return render(
        request, "members/campaign_gone.html", context, status=404 if campaign is None else 410
    )


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: `next` if it stays on this site, else the card."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("members:card")


@never_cache
def login(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        values = _draft_load(request, "login") or {}
        resend = _resend_after(request, values) if values else 0
        return _page(request, "members/login.html", {"v": values, "resend_after": resend})
    values = {"phone": request.POST.get("phone", ""), "sms_code": request.POST.get("sms_code", "")}
    try:
        if request.POST.get("action") == "send_code":
            services.code_send(phone=values["phone"], purpose="login", ip=client_ip(request))
            return _code_sent(request, "login", {"phone": values["phone"]})
        member = services.member_login(
            phone=values["phone"], code=values["sms_code"], ip=client_ip(request)
        )
    except ValidationError as exc:
        return _page(request, "members/login.html", {"v": values}, exc)
    _draft_clear(request, "login")
    _sign_in(request, member)
    return redirect(_next_url(request))


def logout(request: HttpRequest) -> HttpResponse:
    """GET asks (the card page links here: a form of its own would carry a CSRF token that goes
    stale when the card is shown from the offline cache); POST signs out."""
    if request.method != "POST":
        return render(request, "members/logout.html")
    request.session.pop(SESSION_KEY, None)
    return redirect("members:login")

"""The electronic membership card (a member's page) and its check by a keeper or guard (staff).

The card page holds no per-request secret (no token, no CSRF form): the QR comes by script from
`card_code`, so a service worker may keep `/me/card/` and `/me/card/code.json` for a dead zone,
and the page shown from there says it is the cached card and when its code was made.
"""

import base64
import io
from urllib.parse import parse_qs, urlsplit

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from waystation.accounts.access import scope_of

from .cards import card_check, card_code_issue
from .middleware import MemberRequest

# What the card's script says; %(name)s placeholders filled in there.
CARD_TEXTS = {
    "countdown": _("%(left)s 后刷新"),
    "valid_for": _("%(left)s 后失效"),
    "expired": _("已失效"),
    "refreshed": _("二维码已刷新"),
    "no_signal": _("网络不可用：当前二维码仍有效，联网后自动刷新"),
    "cached": _("离线：这是缓存的会员卡，二维码生成于 %(time)s，已失效。联网后自动刷新。"),
    "cached_page": _("离线：这是缓存的会员卡（保存于 %(time)s），联网后显示二维码。"),
    "no_code": _("暂无二维码：联网后自动显示"),
    "signed_out": _("登录已过期，请重新登录后查看会员卡"),
}

SCANNER_TEXTS = {
    "starting": _("正在打开摄像头…"),
    "aim": _("请把会员卡二维码放进取景框"),
    "checking": _("已识别，正在核验…"),
    "reading": _("正在识别图片…"),
    "not_found": _("图片里没有找到二维码：请靠近些、对准二维码再拍一次"),
    "not_card": _("这不是会员卡二维码"),
    "denied": _("没有摄像头权限：请在浏览器设置里允许使用摄像头，或点“拍照或选图识别”"),
    "no_camera": _("无法打开摄像头：请点“拍照或选图识别”"),
}


@never_cache
def card(request: MemberRequest) -> HttpResponse:
    member = request.member or None
    if member is None:
        return redirect(f"{reverse('members:login')}?next={reverse('members:card')}")
    return render(request, "members/card.html", {"m": member, "texts": CARD_TEXTS})


@never_cache
def card_code(request: MemberRequest) -> HttpResponse:
    """A fresh code for the card page, as JSON: the QR (an SVG data URL of the check page's
    address with the token), when it was made, when it expires and when to fetch the next."""
    member = request.member or None
    if member is None:
        return JsonResponse({"error": "signed_out"}, status=403)
    code = card_code_issue(member)
    # the token as it is: its characters (base64url, ":", ".") are all safe in a query, and a
    # shorter address makes a coarser, faster-reading QR
    url = settings.SITE_URL + reverse("members:card_verify") + "?t=" + code.token
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=4, border=2, xmldecl=False)
    return JsonResponse(
        {
            "qr": "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode(),
            "issued_at": code.issued_at.isoformat(),
            "expires_at": code.expires_at.isoformat(),
            "refresh_at": code.refresh_at.isoformat(),
        }
    )


def _token_of(text: str) -> str:
    """What was typed or pasted: the code's whole address (a scanner gun types the QR's text)
    or the token alone."""
    text = text.strip()
    if "?" in text:
        return parse_qs(urlsplit(text).query).get("t", [""])[0].strip()
    return text


@never_cache
def card_verify(request: HttpRequest) -> HttpResponse:
    """Staff (keepers and lawyers included) check a scanned card: with the page's own camera
    scanner, a photo of the code, or a phone's camera app opening the QR's address. Signed out,
    the page asks for staff to sign in (a rider who scans their own card learns nothing);
    signed in without the role, 404 as everywhere (accounts/access.py)."""
    if not request.user.is_authenticated:
        login = f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}"
        return render(request, "members/card_verify_signed_out.html", {"login_url": login})
    scope = scope_of(request.user)
    if not scope.verifies_cards:
        raise Http404
    if request.method == "POST":  # a posted token is looked up by GET, as the card's QR does
        posted = _token_of(request.POST.get("t", ""))
        return redirect(f"{request.path}?{urlencode({'t': posted})}" if posted else request.path)
    token = (request.GET.get("t") or "").strip()
    check = card_check(token, scope=scope) if token else None
    context = {"check": check, "scanner_texts": SCANNER_TEXTS}
    return render(request, "members/card_verify.html", context)

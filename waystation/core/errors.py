"""Error pages: Chinese, in the site's layout, each with a way on (home, find a station, join).

Installed as handler400/403/404/500 in waystation.urls and as CSRF_FAILURE_VIEW. Under /api/
they answer JSON, as the API's own handlers do (waystation.api), never an HTML page.

The 500 page is rendered without the request, so no context processor runs (they query the
database, which may be what failed) and the template needs no query; if even that fails, a page
written out below is sent instead."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

log = logging.getLogger(__name__)

API_PREFIX = "/api/"

# status: (title, what happened and what to do, the API's "detail")
PAGES = {
    400: (
        gettext_lazy("请求无法处理"),
        gettext_lazy("页面收到的内容不完整或格式不对。请返回上一页重新填写，或从下面的入口继续。"),
        "请求无效 (bad request)",
    ),
    403: (
        gettext_lazy("无法打开此页面"),
        gettext_lazy("这个页面不对您开放。请从下面的入口继续。"),
        "无权访问 (forbidden)",
    ),
    404: (
        gettext_lazy("找不到这个页面"),
        gettext_lazy(
            "链接可能有误，或页面已不存在。驿站编号、海报二维码若已更换，请到驿站地图重新查找。"
        ),
        "未找到 (not found)",
    ),
    500: (
        gettext_lazy("服务器出了点问题"),
        gettext_lazy("我们已记录下这个错误，请稍后再试。您填写的内容可能没有保存。"),
        "服务器内部错误 (server error)",
    ),
}
CSRF_TITLE = gettext_lazy("页面已过期")
CSRF_MESSAGE = gettext_lazy(
    "为了安全，表单提交需要有效的页面凭证。请返回上一页，刷新后重新提交；"
    "如果仍不行，请确认浏览器允许本站的 Cookie。"
)
CSRF_DETAIL = "CSRF 校验失败 (CSRF verification failed)"


def is_api_request(request: HttpRequest) -> bool:
    return str(getattr(request, "path", "")).startswith(API_PREFIX)


def ways_on() -> list[tuple[str, str]]:
    """The links every error page offers: no database, no request."""
    return [
        (_("返回首页"), reverse("core:home")),
        (_("找驿站"), reverse("stations:map")),
        (_("加入工会"), reverse("core:join")),
    ]


def error_page(
    request: HttpRequest,
    status: int,
    *,
    title: str | Promise | None = None,
    message: str | Promise | None = None,
    detail: str | None = None,
) -> HttpResponse:
    """The error page for `status` (JSON under /api/), rendered with the request's context."""
    page_title, page_message, api_detail = PAGES.get(status, PAGES[400])
    if is_api_request(request):
        return JsonResponse({"detail": detail or api_detail}, status=status)
    context = {
        "status": status,
        "title": title or page_title,
        "message": message or page_message,
        "ways_on": ways_on(),
    }
    return HttpResponse(loader.render_to_string("core/error.html", context, request), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403, title=CSRF_TITLE, message=CSRF_MESSAGE, detail=CSRF_DETAIL)


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """Must answer whatever broke: no request context, no query; a fixed page as a last resort."""
    title, message, detail = PAGES[500]
    if is_api_request(request):  # type: ignore[arg-type]
        return JsonResponse({"detail": detail}, status=500)
    try:
        context = {"status": 500, "title": title, "message": message, "ways_on": ways_on()}
        html: str = loader.render_to_string("core/error.html", context)  # no request: no processors
    except Exception:  # the template, the URLs or static files are what broke
        log.exception("the 500 page could not be rendered; sent the fixed page")
        html = FALLBACK_500
    return HttpResponse(html, status=500)


FALLBACK_500 = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>服务器出了点问题 · 工会驿站</title>
<style>body{margin:0;font:16px/1.5 sans-serif;color:#1d1d1f;background:#f6f6f7}
header{padding:.6rem 1rem;background:#c8102e;color:#fff;font-weight:700}
main{max-width:40rem;margin:0 auto;padding:1rem}
a{display:block;margin:.6rem 0;padding:.7rem 1.2rem;border-radius:8px;background:#c8102e;
color:#fff;text-decoration:none;text-align:center}</style></head>
<body><header>工会驿站</header><main><h1>服务器出了点问题</h1>
<p>我们已记录下这个错误，请稍后再试。您填写的内容可能没有保存。</p>
<a href="/">返回首页</a><a href="/stations/">找驿站</a><a href="/join/">加入工会</a>
</main></body></html>"""

"""Installable and offline where it matters: the web app manifest, the service worker (served at
/sw.js so that its scope is the whole site) and the page it shows for anything not saved.

What the service worker keeps (core/templates/core/sw.js):
- the shell, at install: the home page, the offline page, the site's CSS, JS and icons; other
  static files as they are first loaded (cache first: their content decides the worker's
  version, so a deployment with changed files installs a new worker that drops the old ones);
- the rider's own pages, network first, the last good answer kept for when there is no signal:
  the e-card and what it loads (every GET under `OFFLINE_PREFIXES["card"]`), the last list of
  nearest stations the person opened (the page and the API's answer, each under one key
  whatever the point asked: "the last list", not a list per point) and the home page. These are
  personal: they are dropped when the member signs out (`SIGN_OUT_PATHS`) or when the card
  page answers with a redirect (signed out elsewhere, session ended).
- never a staff page (/staff/), a POST, or another site's file.
A page answered from the cache carries `data-offline-at` on its <html> element (the time it was
saved) and site.js shows the "离线" banner; an API answer from the cache carries the header
`X-Offline-Saved-At` and the worker tells the page, which shows the same banner.
"""

import hashlib
import json
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from waystation.accounts.selectors import federation_name

# The shell's static files (paths under STATIC_URL). Their content makes the worker's version.
SHELL_STATIC = (
    "css/site.css",
    "js/site.js",
    "icons/app.svg",
    "icons/app-192.png",
    "icons/app-512.png",
    "icons/app-maskable-512.png",
)
# The rider's pages kept for no signal: (name, path prefix, one key for every query?)
OFFLINE_PREFIXES = {
    "card": "/me/card/",
    "nearest": "/stations/nearest/",
    "nearest_api": "/api/v1/stations/nearest",
}
SIGN_OUT_PATHS = ("/me/logout/", "/me/login/")
THEME = "#c8102e"


@lru_cache(maxsize=1)
def _version() -> str:
    digest = hashlib.sha256()
    for path in SHELL_STATIC:
        found = finders.find(path)
        if found:
            with open(found, "rb") as f:
                digest.update(f.read())
        digest.update(static(path).encode())
    return digest.hexdigest()[:12]


def manifest(request: HttpRequest) -> HttpResponse:
    name = federation_name()
    data = {
        "name": f"{name} · {_('工会驿站')}",
        "short_name": _("工会驿站"),
        "description": _("新就业形态劳动者服务：入会、电子会员卡、找驿站、互助保障"),
        "lang": "zh-Hans",
        "start_url": "/?source=homescreen",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f6f7",
        "theme_color": THEME,
        "icons": [
            {"src": static("icons/app-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/app-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/app-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("icons/app.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
        "shortcuts": [
            {"name": _("我的会员卡"), "url": reverse("members:card")},
            {"name": _("找驿站"), "url": reverse("stations:map")},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    return response


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    precache = [reverse("core:home"), reverse("core:offline")] + [static(p) for p in SHELL_STATIC]
    config = {
        "version": _version(),
        "precache": precache,
        "offline_url": reverse("core:offline"),
        "static_prefix": static(""),
        "prefixes": OFFLINE_PREFIXES,
        "home": reverse("core:home"),
        "sign_out": list(SIGN_OUT_PATHS),
        "never": ["/staff/", "/jobs/"],
    }
    response = render(
        request,
        "core/sw.js",
        {"config": json.dumps(config, ensure_ascii=False)},
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page it has not saved, when there is no signal."""
    return render(request, "core/offline.html")

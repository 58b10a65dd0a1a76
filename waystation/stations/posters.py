"""The check-in QR poster of a station: the same page as the join posters, saying "scan to
check in" instead of "scan to join". The QR carries the station's signed code (codes.py), which
makes a check-in count; the printed address has none, so typing it asks for the location."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from waystation.core.posters import a4_poster, qr_png

from .codes import poster_code
from .models import Station


def checkin_url(station: Station, *, with_code: bool = True) -> str:
    url = settings.SITE_URL + reverse("stations:checkin", args=[station.code])
    if with_code:
        url += "?" + urlencode({"poster_code": poster_code(station)}, safe=":")
    return url


def poster_png(station: Station, *, scale: int = 12) -> bytes:
    return qr_png(checkin_url(station), scale=scale)


def poster_pdf(station: Station) -> bytes:
    return a4_poster(
        title=f"驿站签到二维码 · {station.name}",
        heading="户外劳动者驿站 · 扫码签到",
        tagline="歇歇脚、喝口水 —— 工会就在身边",
        url=checkin_url(station),
        shown_url=checkin_url(station, with_code=False),
        name=station.name,
        place=station.address or station.district.name,
        code_line=f"驿站编号 {station.code} · 第 {station.poster_version} 版",
        issuer=station.city.union_name,
    )

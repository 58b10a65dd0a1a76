"""The check-in QR poster of a station: the same page as the join posters, saying "scan to
check in" instead of "scan to join"."""

from django.conf import settings
from django.urls import reverse

from waystation.core.posters import a4_poster, qr_png

from .models import Station


def checkin_url(station: Station) -> str:
    return settings.SITE_URL + reverse("stations:checkin", args=[station.code])


def poster_png(station: Station, *, scale: int = 12) -> bytes:
    return qr_png(checkin_url(station), scale=scale)


def poster_pdf(station: Station) -> bytes:
    return a4_poster(
        title=f"驿站签到二维码 · {station.name}",
        heading="户外劳动者驿站 · 扫码签到",
        tagline="歇歇脚、喝口水 —— 工会就在身边",
        url=checkin_url(station),
        name=station.name,
        place=station.address or station.get_district_display(),
        code_line=f"驿站编号 {station.code}",
    )

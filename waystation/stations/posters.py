"""The check-in QR poster of a station: the QR image comes from members.posters (the same code
that draws join posters); the A4 page says "scan to check in" instead of "scan to join"."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from waystation.members import posters

from .models import Station

FONT = "STSong-Light"


@dataclass(frozen=True)
class _QrTarget:
    """What members.posters.poster_png needs of a campaign: the path the QR opens."""

    path: str

    def get_join_url(self) -> str:
        return self.path


def checkin_url(station: Station) -> str:
    return settings.SITE_URL + reverse("stations:checkin", args=[station.code])


def poster_png(station: Station, *, scale: int = 12) -> bytes:
    return posters.poster_png(
        _QrTarget(reverse("stations:checkin", args=[station.code])),  # type: ignore[arg-type]
        scale=scale,
    )


def poster_pdf(station: Station) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"驿站签到二维码 · {station.name}")
    c.setFillColorRGB(0.784, 0.063, 0.180)
    c.rect(0, height - 55 * mm, width, 55 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(FONT, 32)
    c.drawCentredString(width / 2, height - 28 * mm, "户外劳动者驿站 · 扫码签到")
    c.setFont(FONT, 15)
    c.drawCentredString(width / 2, height - 42 * mm, "歇歇脚、喝口水 —— 工会就在身边")
    size = 125 * mm
    qr = ImageReader(io.BytesIO(poster_png(station, scale=20)))
    c.drawImage(qr, (width - size) / 2, height - 55 * mm - 15 * mm - size, size, size)
    c.setFillColorRGB(0.1, 0.1, 0.1)
    c.setFont(FONT, 20)
    c.drawCentredString(width / 2, 72 * mm, station.name)
    c.setFont(FONT, 12)
    c.drawCentredString(width / 2, 62 * mm, station.address or station.get_district_display())
    c.setFont(FONT, 10)
    c.drawCentredString(width / 2, 45 * mm, f"驿站编号 {station.code}  ·  {checkin_url(station)}")
    c.drawCentredString(width / 2, 35 * mm, "常州市总工会")
    c.showPage()
    c.save()
    return buf.getvalue()

"""QR posters for campaigns: a PNG for screens and chat groups, an A4 PDF for the printer."""

import io

import segno
from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from .models import Campaign

_FONT = "STSong-Light"  # a CID font every PDF reader has: no font file to ship


def join_url(campaign: Campaign) -> str:
    return settings.SITE_URL + campaign.get_join_url()


def poster_png(campaign: Campaign, *, scale: int = 12) -> bytes:
    buf = io.BytesIO()
    segno.make(join_url(campaign), error="q").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def poster_pdf(campaign: Campaign) -> bytes:
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    buf = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"入会二维码 · {campaign.name}")
    c.setFillColorRGB(0.784, 0.063, 0.180)
    c.rect(0, height - 60 * mm, width, 60 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(_FONT, 34)
    c.drawCentredString(width / 2, height - 30 * mm, "扫码加入工会")
    c.setFont(_FONT, 16)
    c.drawCentredString(width / 2, height - 45 * mm, "新就业形态劳动者 · 一键扫码入会")
    qr = ImageReader(io.BytesIO(poster_png(campaign, scale=20)))
    size = 130 * mm
    c.drawImage(qr, (width - size) / 2, height - 60 * mm - 20 * mm - size, size, size)
    c.setFillColorRGB(0.1, 0.1, 0.1)
    c.setFont(_FONT, 18)
    c.drawCentredString(width / 2, 70 * mm, campaign.name)
    c.setFont(_FONT, 13)
    c.drawCentredString(
        width / 2, 60 * mm, campaign.unit.name + (f" · {campaign.place}" if campaign.place else "")
    )
    c.setFont(_FONT, 10)
    c.drawCentredString(width / 2, 45 * mm, f"活动代码 {campaign.code}  ·  {join_url(campaign)}")
    c.drawCentredString(width / 2, 35 * mm, "常州市总工会")
    c.showPage()
    c.save()
    return buf.getvalue()

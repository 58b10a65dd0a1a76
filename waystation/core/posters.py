"""QR posters: a PNG for screens and chat groups, an A4 PDF for the printer. Join posters
(members) and check-in posters (stations) are the same page with different words."""

import io

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"  # a CID font every PDF reader has: no font file to ship


def qr_png(url: str, *, scale: int = 12) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="q").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def a4_poster(
    *,
    title: str,
    heading: str,
    tagline: str,
    url: str,
    name: str,
    place: str,
    code_line: str,
    shown_url: str = "",
    issuer: str = "",
) -> bytes:
    """One A4 page: red band with heading and tagline, the QR of `url`, what and where. The
    address printed under the QR is `shown_url` if given (a shorter one to type), else `url`;
    `issuer` (the federation whose poster it is) is printed at the foot."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(title)
    c.setFillColorRGB(0.784, 0.063, 0.180)
    c.rect(0, height - 58 * mm, width, 58 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(FONT, 32)
    c.drawCentredString(width / 2, height - 29 * mm, heading)
    c.setFont(FONT, 15)
    c.drawCentredString(width / 2, height - 44 * mm, tagline)
    size = 128 * mm
    qr = ImageReader(io.BytesIO(qr_png(url, scale=20)))
    c.drawImage(qr, (width - size) / 2, height - 58 * mm - 17 * mm - size, size, size)
    c.setFillColorRGB(0.1, 0.1, 0.1)
    c.setFont(FONT, 20)
    c.drawCentredString(width / 2, 71 * mm, name)
    c.setFont(FONT, 12)
    c.drawCentredString(width / 2, 61 * mm, place)
    c.setFont(FONT, 10)
    c.drawCentredString(width / 2, 45 * mm, f"{code_line}  ·  {shown_url or url}")
    if issuer:
        c.drawCentredString(width / 2, 35 * mm, issuer)
    c.showPage()
    c.save()
    return buf.getvalue()

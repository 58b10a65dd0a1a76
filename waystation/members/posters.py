"""Join posters for campaigns."""

from django.conf import settings

from waystation.core.posters import a4_poster, qr_png

from .models import Campaign


def join_url(campaign: Campaign) -> str:
    return settings.SITE_URL + campaign.get_join_url()


def poster_png(campaign: Campaign, *, scale: int = 12) -> bytes:
    return qr_png(join_url(campaign), scale=scale)


def poster_pdf(campaign: Campaign) -> bytes:
    return a4_poster(
        title=f"入会二维码 · {campaign.name}",
        heading="扫码加入工会",
        tagline="新就业形态劳动者 · 一键扫码入会",
        url=join_url(campaign),
        name=campaign.name,
        place=campaign.unit.name + (f" · {campaign.place}" if campaign.place else ""),
        code_line=f"活动代码 {campaign.code}",
        issuer=campaign.city.union_name,
    )

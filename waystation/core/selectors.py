from django.apps import apps

from .models import Notice


def public_figures() -> dict:
    """Headline figures for the public page, each computed from the data."""
    figures: dict = {}
    Member = apps.get_model("members", "Member")
    figures["members"] = Member.objects.filter(status="active").count()
    if apps.is_installed("waystation.stations"):
        try:
            Station = apps.get_model("stations", "Station")
            figures["stations_open"] = Station.objects.filter(status="open").count()
        except LookupError:
            pass
    return figures


def notices_published(city_id: int | None, limit: int = 5) -> list[Notice]:
    """The newest published notices of a city (a signed-in member's), or of every city (a
    visitor's: most sites serve one city)."""
    qs = Notice.objects.filter(published=True, published_at__isnull=False)
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    return list(qs.order_by("-published_at", "-id")[:limit])

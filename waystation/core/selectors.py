from django.apps import apps


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

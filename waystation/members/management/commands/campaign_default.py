from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waystation.accounts.models import City
from waystation.members import selectors
from waystation.members.models import Campaign
from waystation.members.services import campaign_set_default


class Command(BaseCommand):
    help = (
        "Show or set a city's standing campaign: the way to join offered on the page of an "
        "ended or unknown campaign link (one per city; setting one replaces its city's)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", nargs="?", help="the campaign's code; none: show the current")

    def handle(self, *args: Any, code: str | None, **options: Any) -> None:
        if code:
            campaign = Campaign.objects.filter(code=code).first()
            if campaign is None:
                raise CommandError(f"no campaign {code!r}")
            try:
                campaign_set_default(campaign=campaign)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(f"default campaign: {campaign.code} ({campaign.name})")
            return
        cities = City.objects.order_by("created_at", "pk")
        if not cities:
            self.stdout.write("no city yet (manage.py add_city ADCODE)")
        for city in cities:
            current = selectors.default_campaign(city)
            if current is None:
                self.stdout.write(
                    f"{city.name}: no default campaign (set one: manage.py campaign_default CODE)"
                )
            else:
                self.stdout.write(f"{city.name}: default campaign: {current.code} ({current.name})")

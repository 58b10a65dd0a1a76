from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waystation.members.roster import STAGING_DAYS, roster_purge_stale


class Command(BaseCommand):
    help = "Expire roster uploads never committed, deleting their staged personal data (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=STAGING_DAYS)

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        n = roster_purge_stale(days=days)
        self.stdout.write(f"{n} roster upload(s) expired")

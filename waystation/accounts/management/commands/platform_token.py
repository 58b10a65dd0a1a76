from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waystation.accounts.models import Platform
from waystation.accounts.services import platform_token_issue


class Command(BaseCommand):
    help = "Issue a new API token for a platform (美团 = meituan …); the old one stops working."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("platform", help="platform code, e.g. meituan")

    def handle(self, *args: Any, platform: str, **options: Any) -> None:
        p = Platform.objects.filter(code=platform).first()
        if p is None:
            raise CommandError(f"unknown platform {platform!r}")
        self.stdout.write(platform_token_issue(platform=p, actor=None))

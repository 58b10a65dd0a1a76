from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from .load_demo import demo_modules


class Command(BaseCommand):
    help = "Print the URLs and the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        site = settings.SITE_URL
        w = self.stdout.write
        w("")
        w("waystation is starting (demo data is synthetic; organisation and boundaries are real)")
        w(f"  Worker pages:  {site}/            (phone first; try /join/demo-street/)")
        w(f"  Station map:   {site}/stations/")
        w(f"  Staff:         {site}/staff/")
        w(f"  API + OpenAPI: {site}/api/v1/openapi.json   docs: {site}/api/v1/docs")
        w("  Demo logins (staff, username / password):")
        for _, module in demo_modules():
            for username, password, what in getattr(module, "LOGINS", []):
                w(f"    {username:<16} {password:<16} {what}")
        w(f"  Members sign in with phone + SMS code; SMS backend: {settings.SMS_BACKEND}")
        w("")

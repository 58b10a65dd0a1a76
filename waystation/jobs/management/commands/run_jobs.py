from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waystation.jobs import runner


class Command(BaseCommand):
    help = "Run background jobs (imports, bulk enrolments, analyses) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run queued jobs, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            n = runner.run_until_empty()
            self.stdout.write(f"ran {n} job(s)")
            return
        runner.work_forever()

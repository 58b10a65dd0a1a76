"""`manage.py partitions --ensure --prune`, daily from cron (the job worker ensures too)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waystation.core import partitions
from waystation.jobs.runner import jobs_prune


class Command(BaseCommand):
    help = (
        "Monthly partitions of the tables that grow without end: create the months ahead "
        "(--ensure), drop what is past its retention (--prune), show a month's plan (--explain)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ensure", action="store_true", help="create the months ahead")
        parser.add_argument(
            "--months", type=int, default=partitions.MONTHS_AHEAD, help="months ahead to ensure"
        )
        parser.add_argument(
            "--since", help="with --ensure: every month from this one on too (YYYY-MM)"
        )
        parser.add_argument("--prune", action="store_true", help="apply the retention")
        parser.add_argument("--explain", action="store_true", help="EXPLAIN a month's query")
        parser.add_argument("--dry-run", action="store_true", help="say what it would do")
        parser.add_argument("--now", help="as if today were this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["ensure"] or options["prune"] or options["explain"]):
            raise CommandError("nothing to do: give --ensure, --prune and/or --explain")
        now = None
        if options["now"]:
            day = datetime.strptime(options["now"], "%Y-%m-%d")
            now = day.replace(hour=12, tzinfo=ZoneInfo(settings.TIME_ZONE))
        dry_run = options["dry_run"]
        lines: list[str] = []
        if options["ensure"]:
            since = None
            if options["since"]:
                try:
                    since = datetime.strptime(options["since"], "%Y-%m").date()
                except ValueError as exc:
                    raise CommandError("--since takes a month: YYYY-MM") from exc
            lines += partitions.partitions_ensure(
                months_ahead=options["months"], now=now, since=since, dry_run=dry_run
            )
        if options["prune"]:
            lines += partitions.retention_prune(now=now, dry_run=dry_run)
            jobs = jobs_prune(now=now, dry_run=dry_run)
            if jobs:
                lines.append(f"{'would delete' if dry_run else 'deleted'} {jobs} finished jobs")
        if (options["ensure"] or options["prune"]) and not lines:
            lines = ["nothing to do"]
        for line in lines:
            self.stdout.write(line)
        if options["explain"]:
            for table, plan in partitions.partitions_explain(now=now).items():
                self.stdout.write(f"EXPLAIN one month of {table}:\n{plan}")

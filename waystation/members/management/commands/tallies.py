"""`manage.py tallies --check` (exit 1 when a member rollup differs from a direct count) and
`--rebuild` (recount them, e.g. after restoring a dump made without its triggers)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waystation.members.tallies import tallies_differences, tallies_rebuild


class Command(BaseCommand):
    help = "Check the member rollups against a direct count (--check) or recount them (--rebuild)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare with a direct count")
        parser.add_argument("--rebuild", action="store_true", help="recount from the members")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            for name, rows in tallies_rebuild().items():
                self.stdout.write(f"{name}: {rows} rows")
        if options["check"]:
            wrong = {name: diffs for name, diffs in tallies_differences().items() if diffs}
            for name, diffs in wrong.items():
                for key, kept, direct in diffs[:20]:
                    self.stdout.write(f"{name} {key}: rollup {kept}, members {direct}")
            if wrong:
                raise CommandError("the member rollups differ from the members: run --rebuild")
            self.stdout.write("the member rollups equal a direct count")
        if not (options["rebuild"] or options["check"]):
            raise CommandError("nothing to do: give --check and/or --rebuild")

"""Load the Changzhou demo: the real organisation tree and synthetic data of the reported size.

Each app contributes `waystation/<app>/demo.py` with `load(stdout) -> None` (idempotent: a second
run adds nothing) and optionally `LOGINS: list[tuple[username, password, what]]`.
"""

import time
from collections.abc import Iterator
from importlib import import_module
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand

DEMO_APPS = ("members", "stations", "aid")


def demo_modules() -> Iterator[tuple[str, ModuleType]]:
    for app in DEMO_APPS:
        try:
            yield app, import_module(f"waystation.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"waystation.{app}.demo":
                raise


class Command(BaseCommand):
    help = "Load the Changzhou demo data (synthetic people, real organisation and boundaries)."

    def handle(self, *args: Any, **options: Any) -> None:
        for app, module in demo_modules():
            t0 = time.perf_counter()
            module.load(self.stdout)
            self.stdout.write(f"demo {app}: {time.perf_counter() - t0:.1f} s")

"""The services stations offer, as lookups: codes, names and bits from the Service rows, cached
per process.

Station.services_mask stores a station's services as bits (`Service.bit`), so that filters work
the same on SQLite, PostgreSQL and numpy (the nearest index). The catalogue turns codes into bits
and masks back into codes and names. It is read from the database once per process (one small
query) and dropped
- when a Service row is saved or deleted in this process (signals.py), and
- when this process sees a new registry stamp: a Service change touches the registry too. The
  nearest index and the map layer read the stamp anyway; the pages and writes that offer or
  accept services read it once (`catalogue_checked`), so every process, the jobs worker's too,
  follows a change made in another at once.

Only active services are offered, accepted and shown. A retired service (`active=False`) keeps
its bit in the masks of the stations that had it; reactivating it brings it back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .models import Service

DATA_FILE = Path(__file__).resolve().parent / "data" / "services.json"


class Catalogue:
    """The active services in their order."""

    def __init__(self, services: Iterable[tuple[str, str, int]]) -> None:
        self.services = tuple(services)  # (code, name, bit value) each
        self.bits = {code: bit for code, _, bit in self.services}  # bit value: 1 << Service.bit
        self.names = {code: name for code, name, _ in self.services}
        # masks seen → their codes: a few hundred distinct masks cover a whole registry
        self._memo: dict[int, list[str]] = {}

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(code, name) for code, name, _ in self.services]

    def mask(self, codes: Iterable[str]) -> int:
        """The mask of these service codes (KeyError for one not in the catalogue)."""
        return sum(self.bits[c] for c in set(codes))

    def codes(self, mask: int) -> list[str]:
        """The codes of a mask's services, in catalogue order (a new list: callers may keep it)."""
        found = self._memo.get(mask)
        if found is None:
            found = self._memo[mask] = [c for c, _, bit in self.services if mask & bit]
        return list(found)

    def names_of(self, mask: int) -> list[str]:
        return [self.names[c] for c in self.codes(mask)]


_current: Catalogue | None = None
_seen_stamp: int | None = None


def catalogue() -> Catalogue:
    """This process's catalogue, read from the Service rows if it has none."""
    global _current
    current = _current
    if current is None:
        rows = Service.objects.filter(active=True).order_by("order", "bit")
        current = _current = Catalogue(
            tuple(
                (code, name, 1 << bit)
                for code, name, bit in rows.values_list("code", "name", "bit")
            )
        )
    return current


def catalogue_clear(**kwargs: Any) -> None:
    """Drop this process's catalogue (a signal receiver too): the next lookup reads the rows."""
    global _current
    _current = None


def catalogue_follow(stamp: int) -> None:
    """Called with each registry stamp the index or the map layer reads: a new stamp may be a
    Service change made by another process, so the catalogue is read again."""
    global _seen_stamp
    if stamp != _seen_stamp:
        _seen_stamp = stamp
        catalogue_clear()


def catalogue_checked() -> Catalogue:
    """The catalogue after one look at the registry stamp (a primary-key read): for the pages
    and writes that offer or accept services (see the module docstring)."""
    from .index import registry_stamp  # index.py imports this module

    catalogue_follow(registry_stamp())
    return catalogue()


def services_mask(codes: Iterable[str]) -> int:
    return catalogue().mask(codes)


def service_codes(mask: int) -> list[str]:
    return catalogue().codes(mask)


def service_choices() -> list[tuple[str, str]]:
    """(code, name) of the services offered, for filters and forms."""
    return catalogue().choices


# No actor: national reference rows every city shares, created if missing (the demo loader; the
# tests after each flush). The migration that made services rows created them from constants.
def services_ensure() -> None:
    """The services of the data file, created if missing; existing rows are kept as they are."""
    with DATA_FILE.open(encoding="utf-8") as fh:
        rows = json.load(fh)["services"]
    for order, row in enumerate(rows):
        Service.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "bit": row["bit"], "order": order}
        )

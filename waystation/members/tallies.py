"""The member rollups: counted by the database on every write (triggers, members migration 0011),
read here in a staff member's scope, recounted or checked by `manage.py tallies`.

A rollup row is keyed by the same city, work district and industry columns a member has, so one
scope filter (accounts.access.filter_in_scope) serves both: what a district officer counts from the
rollups is what they would count from their members.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncWeek

from waystation.accounts.access import AnyUser, filter_in_scope
from waystation.members.models import Member, MemberJoinTally, MemberPlatformTally, MemberTally


def in_scope(user: AnyUser | None, model: type[models.Model]) -> QuerySet:
    """The rollup rows a staff member's scope covers (none for a member or a stranger)."""
    return filter_in_scope(
        user,
        model._default_manager.all(),
        city="city",
        district="work_district",
        industry="industry",
    )


def counts(qs: QuerySet, *by: str) -> list[dict[str, Any]]:
    """Summed counts grouped by the given fields, largest first; groups summing to 0 left out."""
    return list(qs.values(*by).annotate(n=Sum("n")).filter(n__gt=0).order_by("-n", *by))


def total(qs: QuerySet) -> int:
    return qs.aggregate(n=Sum("n"))["n"] or 0


@dataclass(frozen=True)
class Rollup:
    """A rollup and the direct count it stands for: its model, and for each of its key fields
    the member field it counts by (the platform rollup counts the member-platform rows)."""

    model: type[MemberTally] | type[MemberJoinTally] | type[MemberPlatformTally]
    keys: dict[str, str]
    through: bool = False

    def direct(self) -> QuerySet:
        if self.through:
            source: QuerySet = Member.platforms.through.objects.all()
        else:
            source = Member.objects.all()
            if "week" in self.keys:
                zone = ZoneInfo(settings.TIME_ZONE)
                source = source.annotate(week=TruncWeek("joined_at", tzinfo=zone))
        return source.values(*self.keys.values()).annotate(n=Count("*")).order_by()

    def rows(self, direct: Iterable[dict[str, Any]]) -> list[Any]:
        fields = {member_field: key for key, member_field in self.keys.items()}
        out = []
        for row in direct:
            values = {fields[f]: v for f, v in row.items() if f != "n"}
            if "week" in values and hasattr(values["week"], "date"):
                values["week"] = values["week"].date()
            out.append(self.model(n=row["n"], **values))
        return out

    def key_of(self, obj: Any) -> tuple:
        return tuple(getattr(obj, key) for key in self.keys)


_M = "member__"
ROLLUPS = (
    Rollup(
        MemberTally,
        {
            "city_id": "city_id",
            "union_id": "union_id",
            "work_district_id": "work_district_id",
            "industry_id": "industry_id",
            "channel": "channel",
            "status": "status",
        },
    ),
    Rollup(
        MemberJoinTally,
        {
            "city_id": "city_id",
            "week": "week",
            "work_district_id": "work_district_id",
            "industry_id": "industry_id",
        },
    ),
    Rollup(
        MemberPlatformTally,
        {
            "city_id": _M + "city_id",
            "work_district_id": _M + "work_district_id",
            "industry_id": _M + "industry_id",
            "status": _M + "status",
            "platform_id": "platform_id",
        },
        through=True,
    ),
)


def _lock_members() -> None:
    """No member is written while the rollups are recounted (PostgreSQL; SQLite has one writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE members_member, members_member_platforms IN SHARE MODE")


def tallies_differences() -> dict[str, list[tuple[tuple, int, int]]]:
    """For each rollup, the keys whose count differs from a direct count of the members:
    (key, rollup's count, direct count). Empty lists when the rollups are right."""
    out: dict[str, list[tuple[tuple, int, int]]] = {}
    with transaction.atomic():
        _lock_members()
        for rollup in ROLLUPS:
            kept = {rollup.key_of(o): o.n for o in rollup.model._default_manager.all()}
            direct = {rollup.key_of(o): o.n for o in rollup.rows(rollup.direct().iterator())}
            out[rollup.model.__name__] = sorted(
                (key, kept.get(key, 0), direct.get(key, 0))
                for key in kept.keys() | direct.keys()
                if kept.get(key, 0) != direct.get(key, 0)
            )
    return out


def tallies_rebuild() -> dict[str, int]:
    """Recount every rollup from the members (after a restore, or a change of TIME_ZONE); returns
    the rows written per rollup."""
    written = {}
    with transaction.atomic():
        _lock_members()
        for rollup in ROLLUPS:
            rollup.model._default_manager.all().delete()
            rows = rollup.rows(rollup.direct().iterator())
            rollup.model._default_manager.bulk_create(rows, batch_size=2000)
            written[rollup.model.__name__] = len(rows)
    return written

"""The database triggers that keep the member rollups (members.models.MemberTally and its two
siblings) equal to a direct count.

PostgreSQL: statement-level AFTER triggers with transition tables, so a bulk insert, COPY or
UPDATE costs one grouped upsert per rollup, not one per row; each upsert takes its rows in key
order (writers lock rollup rows in the same order: no deadlock between them). Installed by
migration 0011; a change here needs a migration that installs it again.

SQLite (the embedded default): row-level triggers. SQLite drops a table's triggers when a
migration rebuilds the table (and a rebuild fails on another table's trigger that names it), so
on SQLite they are dropped before every `migrate` and made again after it, with a recount
(members.apps: pre_migrate / post_migrate). The join week (its Monday) is the display zone's,
settings.TIME_ZONE; on SQLite its fixed UTC offset (a zone with summer time would be a day off
around the change).

A member row and its platform rows may be written in either order within a transaction: the
member's trigger counts the platform rows already there, the platform table's trigger counts
only rows whose member is there.
"""

# ruff: noqa: S608 - the SQL is built from this module's own table and column names

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

MEMBER = "members_member"
THROUGH = "members_member_platforms"

# rollup table -> its key columns and the expression of each over a member row "r" (and, for the
# platform rollup, its platform row "p")
ROLLUPS = {
    "members_membertally": {
        "city_id": "r.city_id",
        "union_id": "r.union_id",
        "work_district": "r.work_district",
        "industry": "r.industry",
        "channel": "r.channel",
        "status": "r.status",
    },
    "members_memberjointally": {
        "city_id": "r.city_id",
        "week": "{week}",
        "work_district": "r.work_district",
        "industry": "r.industry",
    },
    "members_memberplatformtally": {
        "city_id": "r.city_id",
        "work_district": "r.work_district",
        "industry": "r.industry",
        "status": "r.status",
        "platform_id": "p.platform_id",
    },
}
PLATFORM = "members_memberplatformtally"


def _upsert(table: str, select: str) -> str:
    keys = ", ".join(ROLLUPS[table])
    return (
        f"INSERT INTO {table} ({keys}, n) {select} "
        f"ON CONFLICT ({keys}) DO UPDATE SET n = {table}.n + excluded.n;"
    )


def _pg_grouped(table: str, parts: list[tuple[str, str, int]], week: str) -> str:
    """One grouped upsert of the signed counts of the given (from-clause, where, sign) parts."""
    exprs = [e.format(week=week) for e in ROLLUPS[table].values()]
    cols = ", ".join(f"{e} AS k{i}" for i, e in enumerate(exprs))
    keys = ", ".join(f"k{i}" for i in range(len(exprs)))
    union = " UNION ALL ".join(
        f"SELECT {cols}, {sign} AS d FROM {src}{where}" for src, where, sign in parts
    )
    return _upsert(
        table,
        f"SELECT {keys}, sum(d) FROM ({union}) s "
        f"GROUP BY {keys} HAVING sum(d) <> 0 ORDER BY {keys}",
    )


def _pg_sql(zone: str) -> tuple[list[str], list[str]]:
    week = f"date_trunc('week', r.joined_at AT TIME ZONE '{zone}')::date"
    p_of = f" JOIN {THROUGH} p ON p.member_id = r.id"
    r_of = f" JOIN {MEMBER} r ON r.id = p.member_id"
    member = {  # event -> the signed sources of the member rows
        "INSERT": [("new_rows r", "", 1)],
        "DELETE": [("old_rows r", "", -1)],
        "UPDATE": [("old_rows r", "", -1), ("new_rows r", "", 1)],
    }
    through = {
        "INSERT": [("new_rows p", "", 1)],
        "DELETE": [("old_rows p", "", -1)],
        "UPDATE": [("old_rows p", "", -1), ("new_rows p", "", 1)],
    }
    refs = {
        "INSERT": "NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    up, down = [], []
    for event in ("INSERT", "DELETE", "UPDATE"):
        body = [_pg_grouped(table, member[event], week) for table in ROLLUPS if table != PLATFORM]
        body.append(
            _pg_grouped(PLATFORM, [(src + p_of, w, s) for src, w, s in member[event]], week)
        )
        through_body = _pg_grouped(
            PLATFORM, [(src + r_of, w, s) for src, w, s in through[event]], week
        )
        for table, name, sql in (
            (MEMBER, f"members_tally_member_{event.lower()}", "\n".join(body)),
            (THROUGH, f"members_tally_platform_{event.lower()}", through_body),
        ):
            up.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"
                f"{sql}\nRETURN NULL; END $$;"
            )
            up.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {refs[event]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
            )
            down.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            down.append(f"DROP FUNCTION IF EXISTS {name}();")
    return up, down


def _sqlite_row(table: str, row: str, sign: int, week: str, src: str = "") -> str:
    exprs = [e.format(week=week).replace("r.", f"{row}.") for e in ROLLUPS[table].values()]
    if src:  # the platform rows of the member
        return _upsert(
            table,
            f"SELECT {', '.join(exprs)}, {sign} * count(*) FROM {src} GROUP BY p.platform_id",
        )
    return _upsert(table, f"SELECT {', '.join(exprs)}, {sign} WHERE true")


def _sqlite_sql(offset_minutes: int) -> tuple[list[str], list[str]]:
    def week(row: str) -> str:
        return f"date({row}.joined_at, '{offset_minutes:+d} minutes', 'weekday 0', '-6 days')"

    def member_rows(row: str, sign: int) -> list[str]:
        out = [_sqlite_row(t, row, sign, week(row)) for t in ROLLUPS if t != PLATFORM]
        src = f"{THROUGH} p WHERE p.member_id = {row}.id"
        out.append(_sqlite_row(PLATFORM, row, sign, week(row), src))
        return out

    def platform_row(row: str, sign: int) -> str:
        exprs = [e.replace("p.", f"{row}.") for e in ROLLUPS[PLATFORM].values()]
        return _upsert(
            PLATFORM,
            f"SELECT {', '.join(exprs)}, {sign} FROM {MEMBER} r WHERE r.id = {row}.member_id",
        )

    keyed = "city_id, union_id, work_district, industry, channel, status, joined_at"
    triggers = {
        "members_tally_member_insert": (f"AFTER INSERT ON {MEMBER}", member_rows("NEW", 1)),
        "members_tally_member_delete": (f"AFTER DELETE ON {MEMBER}", member_rows("OLD", -1)),
        "members_tally_member_update": (
            f"AFTER UPDATE OF {keyed} ON {MEMBER}",
            member_rows("OLD", -1) + member_rows("NEW", 1),
        ),
        "members_tally_platform_insert": (f"AFTER INSERT ON {THROUGH}", [platform_row("NEW", 1)]),
        "members_tally_platform_delete": (f"AFTER DELETE ON {THROUGH}", [platform_row("OLD", -1)]),
        "members_tally_platform_update": (
            f"AFTER UPDATE ON {THROUGH}",
            [platform_row("OLD", -1), platform_row("NEW", 1)],
        ),
    }
    up = [
        f"CREATE TRIGGER {name} {when} BEGIN\n" + "\n".join(body) + "\nEND;"
        for name, (when, body) in triggers.items()
    ]
    down = [f"DROP TRIGGER IF EXISTS {name};" for name in triggers]
    return up, down


def trigger_sql(vendor: str) -> tuple[list[str], list[str]]:
    """The statements that create the rollups' triggers for this database, and those that
    drop them."""
    if vendor == "postgresql":
        return _pg_sql(settings.TIME_ZONE)
    offset = ZoneInfo(settings.TIME_ZONE).utcoffset(datetime(2026, 1, 1))
    return _sqlite_sql(int(offset.total_seconds() // 60) if offset else 0)


def sqlite_drop(connection: Any) -> None:
    """Before a migrate on SQLite: no trigger in the way of a table rebuild."""
    _, down = trigger_sql("sqlite")
    with connection.cursor() as cursor:
        for statement in down:
            cursor.execute(statement)


def sqlite_install(connection: Any) -> bool:
    """After a migrate on SQLite: the triggers again, and the rollups recounted (the migrations
    ran without them). False when the rollup tables are not there (migrated back before them)."""
    tables = set(connection.introspection.table_names())
    if not {"members_membertally", MEMBER, THROUGH} <= tables:
        return False
    up, down = trigger_sql("sqlite")
    with connection.cursor() as cursor:
        for statement in [*down, *up]:
            cursor.execute(statement)
    from .tallies import tallies_rebuild

    tallies_rebuild()
    return True

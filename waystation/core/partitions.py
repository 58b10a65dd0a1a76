"""Monthly partitions for the tables that grow without end, and the retention that bounds them.

Partitioned (PostgreSQL only; PARTITIONED): `stations_visit` by `at`, `privacy_auditlog` by `at`,
`members_smscode` by `created_at`. Their migrations turn each into a table PARTITION BY RANGE on
its time column (`table_partition`, and `table_unpartition` going back) with
- one partition per month, `<table>_pYYYYMM`, from midnight on the 1st in settings.TIME_ZONE (the
  months people ask about) to the next 1st; the name is what this module reads a partition's
  month from, and a partition named otherwise is left alone;
- `<table>_default` for rows of a month with no partition (a typo'd date far in the future);
- the primary key (id, <time>): PostgreSQL wants the partition key in every unique index. `id`
  stays unique in practice (one identity sequence) and is still Django's pk, so no model changes;
- every index, foreign key FROM the table, check constraint and trigger under the name it had,
  so later migrations (AlterField, RemoveIndex) find what they expect. Nothing has a foreign key
  TO these tables (one would have to include the time column).

`partitions_ensure` creates the current month's partition and the next N; it is idempotent and
cheap, run by the job worker at start and daily, and by `manage.py partitions --ensure` from cron.
A month whose rows already went to the default partition gets its partition all the same: the
default is detached, the month's partition and a new default are created, and the old default's
rows are inserted again through the parent (routed to their partitions) before it is dropped.
No row is ever DELETEd for that, so the audit log's trigger never has to be switched off.

Retention (`retention_prune`, settings WAYSTATION_RETENTION_MONTHS, JOBS_RETENTION_DAYS in the
jobs app): a partitioned table loses whole partitions whose month ended more than its retention
ago (DROP TABLE: instant, no dead rows) and the default partition's rows older than that; a plain
table (SQLite, `members_smsguess`) loses its old rows by DELETE. The audit log is append-only: its
rows are never DELETEd (the trigger refuses it); dropping a whole partition past its retention is
the one way audit rows ever leave, and each prune that drops one writes an audit row of its own
(SYSTEM_RETENTION) naming the partitions and their row counts. A plain audit log keeps every row.

Migrations call `table_partition` and `table_unpartition`: change what they do with care.
"""

# SQL here names tables and columns from PARTITIONED/PLAIN (quoted); values are parameters.
# ruff: noqa: S608

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import migrations, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

# table -> its time column
PARTITIONED = {
    "stations_visit": "at",
    "privacy_auditlog": "at",
    "members_smscode": "created_at",
}
# tables bounded by retention alone: too small and short-lived to partition
PLAIN = {"members_smsguess": "created_at"}
AUDIT_TABLE = "privacy_auditlog"
MONTHS_AHEAD = 3
_MONTH_SUFFIX = re.compile(r"_p(\d{4})(\d{2})$")


@dataclass(frozen=True)
class Partition:
    name: str
    month: date  # the 1st

    @property
    def lower(self) -> datetime:
        return _midnight(self.month)

    @property
    def upper(self) -> datetime:
        return _midnight(add_months(self.month, 1))


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=_zone())


def add_months(month: date, n: int) -> date:
    """The 1st of the month n months after `month`'s (n may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_of(moment: datetime) -> date:
    """The 1st of the month `moment` falls in, in settings.TIME_ZONE."""
    local = timezone.localtime(moment, _zone())
    return date(local.year, local.month, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y%m}"


def _q(name: str) -> str:
    return default_connection.ops.quote_name(name)


def is_partitioned(table: str, connection: BaseDatabaseWrapper | None = None) -> bool:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
            " WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [table],
        )
        return cur.fetchone() is not None


def partitions_of(cur: Any, table: str) -> list[Partition]:
    """The month partitions of a partitioned table, oldest first (the default is not one)."""
    cur.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = %s::regclass",
        [table],
    )
    found = []
    for (name,) in cur.fetchall():
        m = _MONTH_SUFFIX.search(name)
        if m and name == partition_name(table, date(int(m[1]), int(m[2]), 1)):
            found.append(Partition(name, date(int(m[1]), int(m[2]), 1)))
    return sorted(found, key=lambda p: p.month)


@contextmanager
def _ddl_transaction() -> Iterator[Any]:
    """A transaction (a savepoint inside one) and a cursor for DDL on a partitioned table.
    PostgreSQL refuses to drop or detach a table with foreign-key checks still pending (Django's
    are deferred to commit): inside a caller's transaction, they are run first."""
    postgres = default_connection.vendor == "postgresql"
    with transaction.atomic(), default_connection.cursor() as cur:
        if postgres:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield cur
        if postgres:
            cur.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django's constraints are declared


def _default_name(table: str) -> str:
    return f"{table}_default"


def _create_month(cur: Any, table: str, month: date) -> None:
    p = Partition(partition_name(table, month), month)
    cur.execute(
        f"CREATE TABLE {_q(p.name)} PARTITION OF {_q(table)} FOR VALUES FROM (%s) TO (%s)",
        [p.lower, p.upper],
    )


def partition_create(cur: Any, table: str, column: str, month: date) -> int:
    """Create a month's partition; rows of that month waiting in the default partition move into
    it (the default is replaced, see the module docstring). Returns the rows moved."""
    default = _default_name(table)
    p = Partition(partition_name(table, month), month)
    cur.execute(
        f"SELECT count(*) FROM {_q(default)} WHERE {_q(column)} >= %s AND {_q(column)} < %s",
        [p.lower, p.upper],
    )
    waiting = cur.fetchone()[0]
    if not waiting:
        _create_month(cur, table, month)
        return 0
    old = f"{table}__old_default"
    cur.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(default)}")
    cur.execute(f"ALTER TABLE {_q(default)} RENAME TO {_q(old)}")
    _create_month(cur, table, month)
    cur.execute(f"CREATE TABLE {_q(default)} PARTITION OF {_q(table)} DEFAULT")
    cur.execute(f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(old)}")
    cur.execute(f"DROP TABLE {_q(old)}")
    return waiting


def partitions_ensure(
    *,
    months_ahead: int = MONTHS_AHEAD,
    now: datetime | None = None,
    since: date | None = None,
    dry_run: bool = False,
) -> list[str]:
    """Create the partitions of this month and the next `months_ahead` for every partitioned
    table that lacks them — and of every month from `since` on, before history is loaded (a
    restore, an import of another system's rows), so it lands in its months and not in the
    default partition; idempotent. Returns what it did (or would do) as lines to print."""
    done: list[str] = []
    current = month_of(now or timezone.now())
    first = min(current, since.replace(day=1)) if since else current
    wanted = []
    month = first
    while month <= add_months(current, months_ahead):
        wanted.append(month)
        month = add_months(month, 1)
    for table, column in PARTITIONED.items():
        if not is_partitioned(table):
            continue
        with _ddl_transaction() as cur:
            have = {p.month for p in partitions_of(cur, table)}
            for month in wanted:
                if month in have:
                    continue
                name = partition_name(table, month)
                if dry_run:
                    done.append(f"would create {name}")
                    continue
                moved = partition_create(cur, table, column, month)
                done.append(f"created {name}" + (f" ({moved} rows from default)" if moved else ""))
    return done


def _cutoff(table: str, now: datetime) -> datetime | None:
    months = settings.WAYSTATION_RETENTION_MONTHS.get(table)
    if months is None:
        return None
    return _midnight(add_months(month_of(now), -int(months)))


def _delete_older(cur: Any, table: str, column: str, cutoff: datetime, dry_run: bool) -> int:
    value = default_connection.ops.adapt_datetimefield_value(cutoff)
    where = f"FROM {_q(table)} WHERE {_q(column)} < %s"
    if dry_run:
        cur.execute(f"SELECT count(*) {where}", [value])
        return cur.fetchone()[0]
    cur.execute(f"DELETE {where}", [value])
    return cur.rowcount


def retention_prune(*, now: datetime | None = None, dry_run: bool = False) -> list[str]:
    """Remove what is older than each table's retention (settings.WAYSTATION_RETENTION_MONTHS):
    whole partitions of the partitioned tables, rows of the plain ones; never an audit row by
    DELETE. The cutoff is the 1st of the month `retention` months before this one, so a partition
    goes once every row in it is older than its retention. Returns lines to print."""
    from waystation.privacy.audit import audit_record
    from waystation.privacy.models import AuditAction

    now = now or timezone.now()
    done: list[str] = []
    dropped_audit: list[dict[str, Any]] = []
    for table, column in {**PARTITIONED, **PLAIN}.items():
        cutoff = _cutoff(table, now)
        if cutoff is None:
            continue
        verb = "would drop" if dry_run else "dropped"
        with _ddl_transaction() as cur:
            if is_partitioned(table):
                for p in partitions_of(cur, table):
                    if p.upper > cutoff:
                        continue
                    cur.execute(f"SELECT count(*) FROM {_q(p.name)}")
                    rows = cur.fetchone()[0]
                    if not dry_run:
                        cur.execute(f"DROP TABLE {_q(p.name)}")
                    done.append(f"{verb} {p.name} ({rows} rows, before {cutoff:%Y-%m-%d})")
                    if table == AUDIT_TABLE:
                        dropped_audit.append({"partition": p.name, "rows": rows})
                if table != AUDIT_TABLE:
                    n = _delete_older(cur, _default_name(table), column, cutoff, dry_run)
                    if n:
                        what = "would delete" if dry_run else "deleted"
                        done.append(f"{what} {n} rows of {_default_name(table)}")
            elif table != AUDIT_TABLE:
                n = _delete_older(cur, table, column, cutoff, dry_run)
                if n:
                    what = "would delete" if dry_run else "deleted"
                    done.append(f"{what} {n} rows of {table} before {cutoff:%Y-%m-%d}")
    if dropped_audit and not dry_run:
        audit_record(
            action=AuditAction.SYSTEM_RETENTION,
            actor_label="system",
            object_type=AUDIT_TABLE,
            reason=f"retention {settings.WAYSTATION_RETENTION_MONTHS[AUDIT_TABLE]} months",
            detail={"dropped": dropped_audit},
        )
    return done


def partitions_explain(*, now: datetime | None = None) -> dict[str, str]:
    """EXPLAIN of a query of this month's rows on every partitioned table: the plan names the one
    partition it reads (partition pruning)."""
    month = month_of(now or timezone.now())
    lower, upper = _midnight(month), _midnight(add_months(month, 1))
    plans = {}
    for table, column in PARTITIONED.items():
        if not is_partitioned(table):
            continue
        with default_connection.cursor() as cur:
            cur.execute(
                f"EXPLAIN SELECT count(*) FROM {_q(table)}"
                f" WHERE {_q(column)} >= %s AND {_q(column)} < %s",
                [lower, upper],
            )
            plans[table] = "\n".join(row[0] for row in cur.fetchall())
    return plans


# --- the migrations' conversion -------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """What a table's rebuild must carry over, as SQL that names the table as it is now."""

    indexes: list[str]
    foreign_keys: list[tuple[str, str]]
    triggers: list[str]
    pkey: str
    identity: bool
    sequence: str | None


def _shape(cur: Any, table: str) -> _Shape:
    cur.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
        [table],
    )
    (pkey,) = cur.fetchone()
    cur.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('u', 'x')",
        [table],
    )
    if unique := [r[0] for r in cur.fetchall()]:
        raise RuntimeError(f"{table} has unique constraints {unique}: cannot be repartitioned")
    cur.execute(
        "SELECT pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i"
        " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary ORDER BY i.indexrelid",
        [table],
    )
    rows = cur.fetchall()
    if any(unique for _, unique in rows):
        raise RuntimeError(f"{table} has a unique index: cannot be repartitioned")
    indexes = [sql.replace(" ON ONLY ", " ON ", 1) for sql, _ in rows]
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    )
    foreign_keys = list(cur.fetchall())
    cur.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger"
        " WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY tgname",
        [table],
    )
    triggers = [r[0] for r in cur.fetchall()]
    cur.execute(
        "SELECT attidentity <> '', pg_get_serial_sequence(%s, 'id') FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attname = 'id'",
        [table, table],
    )
    identity, sequence = cur.fetchone()
    return _Shape(indexes, foreign_keys, triggers, pkey, identity, sequence)


def _rebuild(cur: Any, table: str, column: str | None, months: Iterable[date]) -> None:
    """Copy `table` into a new one of the same name, partitioned by `column` (with these months'
    partitions and a default one) or, with column None, plain; every row, index, foreign key,
    check constraint, trigger and the id sequence's position are kept."""
    shape = _shape(cur, table)
    old = f"{table}__rebuilt"
    cur.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    cur.execute(f"ALTER TABLE {_q(old)} RENAME CONSTRAINT {_q(shape.pkey)} TO {_q(old + '_pkey')}")
    old_sequence = shape.sequence
    if shape.identity and shape.sequence:
        old_sequence = f"{old}_id_seq"
        cur.execute(f"ALTER SEQUENCE {shape.sequence} RENAME TO {_q(old_sequence)}")
    key = ["id", column] if column else ["id"]
    cur.execute(
        f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING IDENTITY"
        f" INCLUDING CONSTRAINTS, CONSTRAINT {_q(shape.pkey)}"
        f" PRIMARY KEY ({', '.join(_q(c) for c in key)}))"
        + (f" PARTITION BY RANGE ({_q(column)})" if column else "")
    )
    if column:
        for month in sorted(set(months)):
            _create_month(cur, table, month)
        cur.execute(f"CREATE TABLE {_q(_default_name(table))} PARTITION OF {_q(table)} DEFAULT")
    cur.execute(f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(old)}")
    if shape.identity and shape.sequence:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called)"
            f" FROM {_q(old_sequence or '')}",
            [table],
        )
    elif shape.sequence:  # a serial column: the sequence outlives the old table
        cur.execute(f"ALTER SEQUENCE {shape.sequence} OWNED BY {_q(table)}.id")
    cur.execute(f"DROP TABLE {_q(old)}")
    for sql in shape.indexes:
        cur.execute(sql)
    for name, definition in shape.foreign_keys:
        cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for sql in shape.triggers:
        cur.execute(sql)


def table_partition(schema_editor: Any, table: str, column: str) -> None:
    """Migration step: make `table` partitioned by month on `column`, with a partition for every
    month that has rows, this month and the next MONTHS_AHEAD. Nothing on other databases."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or is_partitioned(table, connection):
        return
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT DISTINCT date_trunc('month', {_q(column)} AT TIME ZONE %s)::date"
            f" FROM {_q(table)}",
            [settings.TIME_ZONE],
        )
        months = {row[0] for row in cur.fetchall()}
        current = month_of(timezone.now())
        months |= {add_months(current, n) for n in range(MONTHS_AHEAD + 1)}
        _rebuild(cur, table, column, months)


def table_unpartition(schema_editor: Any, table: str) -> None:
    """Migration step back: `table` plain again, every row kept."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not is_partitioned(table, connection):
        return
    with connection.cursor() as cur:
        _rebuild(cur, table, None, [])


def partition_operation(table: str, column: str) -> migrations.RunPython:
    """The migration operation: `table` partitioned by month on `column` (PostgreSQL only; the
    table stays plain elsewhere), and plain again going back; every row kept both ways. It copies
    the table under its lock: on a large deployment run it at a quiet hour."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        table_partition(schema_editor, table, column)

    def backwards(apps: Any, schema_editor: Any) -> None:
        table_unpartition(schema_editor, table)

    return migrations.RunPython(forwards, backwards)

"""Bulk writes: many rows in one go, idempotent by the table's unique constraints.

`insert_ignoring_conflicts` is INSERT … ON CONFLICT DO NOTHING without the ORM's per-value work
(which would be most of a 100,000-row import): a row that meets a unique constraint is skipped
and counted, never an error, so a re-run or a resumed job writes nothing twice. On PostgreSQL
the rows go in by COPY into a scratch table of the same columns and then one INSERT … SELECT,
which keeps ON CONFLICT and RETURNING; elsewhere (SQLite) by multi-row INSERTs within the
database's parameter limit. Each call is atomic (a savepoint inside a transaction).
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection, models, transaction

# Field types whose Python values the database drivers take as they are; any other field's
# values go through its get_db_prep_save (JSON, decimals, UUIDs on SQLite, …).
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BinaryField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallAutoField",
    "SmallIntegerField",
    "TextField",
}


@dataclass(frozen=True, slots=True)
class Inserted:
    """What an insert wrote: how many rows, how many it skipped as conflicts, and the
    `returning` columns of the rows it wrote (in no particular order)."""

    count: int
    skipped: int
    returned: list[tuple]


@contextmanager
def pg_cursor() -> Iterator[Any]:
    """A psycopg cursor with server-side binding on Django's own connection (the same
    transaction), raising Django's database errors: arrays travel as one parameter instead of
    being quoted into the SQL text, as Django's client-side binding does, which for 100,000
    values takes longer than the query."""
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cur:
        yield cur


def insert_ignoring_conflicts(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, returning: Sequence[str] = ()
) -> Inserted:
    """Insert rows (dicts by field attname, e.g. `union_id`) into the model's table, skipping
    those that conflict with a unique constraint. Fields missing from the first row take their
    default, evaluated once for the call (one `timezone.now()` for all rows). The automatic
    primary key is the database's. Returns the counts and the `returning` columns (names of
    columns, e.g. `("id_number_hash", "id")`) of the rows written."""
    if not rows:
        return Inserted(count=0, skipped=0, returned=[])
    table = _Table(model, rows[0], returning)
    with transaction.atomic():
        write = _by_copy if connection.vendor == "postgresql" else _by_values
        count, returned = write(table, rows)
    return Inserted(count=count, skipped=len(rows) - count, returned=returned)


class _Table:
    """The statement parts for one model and one shape of row."""

    def __init__(self, model: type[models.Model], first: dict, returning: Sequence[str]) -> None:
        ops = connection.ops
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        self.names = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields if f.attname not in first}
        self.name = meta.db_table
        self.table = ops.quote_name(meta.db_table)
        self.columns = ", ".join(ops.quote_name(f.column) for f in self.fields)
        self.tail = " ON CONFLICT DO NOTHING"
        if returning:
            self.tail += " RETURNING " + ", ".join(ops.quote_name(c) for c in returning)
        self.returning = bool(returning)
        self.adapt: dict[str, Callable[[Any], Any]] = {}
        on_pg = connection.vendor == "postgresql"
        for f in self.fields:
            kind = f.get_internal_type()
            if kind in _AS_IS or (on_pg and kind in ("DateTimeField", "DateField")):
                continue  # the driver takes the value as it is
            if kind == "DateTimeField":  # the fast way of the field's own get_db_prep_save
                self.adapt[f.attname] = ops.adapt_datetimefield_value
            elif kind == "DateField":
                self.adapt[f.attname] = ops.adapt_datefield_value
            else:
                self.adapt[f.attname] = partial(_prep_save, f)

    def values(self, row: dict) -> list[Any]:
        if self.defaults:
            row = self.defaults | row
        adapt = self.adapt
        if not adapt:
            return [row[n] for n in self.names]
        return [adapt[n](row[n]) if n in adapt else row[n] for n in self.names]


def _prep_save(field: models.Field, value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def _by_copy(t: _Table, rows: Sequence[dict]) -> tuple[int, list[tuple]]:
    # COPY is the fastest way in; the INSERT … SELECT from the scratch table keeps ON CONFLICT
    # and RETURNING, which COPY has not.
    scratch = connection.ops.quote_name(f"_bulk_{t.name}")
    with pg_cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE {scratch} ON COMMIT DROP AS "  # noqa: S608 - names from the model
            f"SELECT {t.columns} FROM {t.table} WITH NO DATA"
        )
        with cur.copy(f"COPY {scratch} ({t.columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(t.values(row))
        select = f"SELECT {t.columns} FROM {scratch}"  # noqa: S608 - names from the model
        cur.execute(f"INSERT INTO {t.table} ({t.columns}) {select}{t.tail}")
        returned = cur.fetchall() if t.returning else []
        count = len(returned) if t.returning else cur.rowcount
        cur.execute(f"DROP TABLE {scratch}")
    return count, returned


def _by_values(t: _Table, rows: Sequence[dict]) -> tuple[int, list[tuple]]:
    per = max(1, (connection.features.max_query_params or 999) // len(t.fields))
    one = "(" + ", ".join(["%s"] * len(t.fields)) + ")"
    count = 0
    returned: list[tuple] = []
    with connection.cursor() as cur:
        for i in range(0, len(rows), per):
            chunk = rows[i : i + per]
            cur.execute(
                f"INSERT INTO {t.table} ({t.columns}) VALUES {', '.join([one] * len(chunk))}"  # noqa: S608 - names from the model
                + t.tail,
                [v for row in chunk for v in t.values(row)],
            )
            if t.returning:
                got = cur.fetchall()
                returned.extend(got)
                count += len(got)
            else:
                count += cur.rowcount
    return count, returned

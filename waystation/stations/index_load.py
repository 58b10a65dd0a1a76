"""Reading the registry for the nearest-station index, as a few large objects.

The index is rebuilt in a thread beside the request threads, and every Python object made from
a database row is made while holding the GIL. On PostgreSQL one statement therefore does the
work in the database process: it numbers the distinct weekly schedules and returns every
station as one fixed-size binary record (id, lon, lat, services, schedule number, status
flags), all of them concatenated into one `bytea`, plus their texts concatenated into one
string with their lengths. Python turns those into numpy arrays with a handful of calls;
160,000 stations cost about ten large objects instead of 1.8 million small ones. One statement
is one snapshot, so the columns always describe the same stations.

Other databases (SQLite in development) read rows through the ORM into the same `Columns`.
Either way the rows come from where the router sends reads of stations: the read replica inside
core.dbrouter.lagging_reads (the public map and nearest stations), else the primary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import cast

import numpy as np
import psycopg
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, TextField
from django.db.models.functions import Cast
from numpy.typing import NDArray

from .models import Station

TEXTS = ("code", "name", "address", "district", "status")  # concatenated in this order
OPEN, PUBLIC = 1, 2  # status flags
_RECORD = np.dtype(
    [
        ("id", ">i8"),
        ("lon", ">f8"),
        ("lat", ">f8"),
        ("mask", ">i8"),
        ("pattern", ">i4"),
        ("flags", ">i2"),
    ]
)


@dataclass
class Columns:
    """The stations in id order; `pattern` numbers their distinct (weekly hours, 24 h) pairs."""

    ids: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    mask: NDArray[np.int64]
    pattern: NDArray[np.int64]
    flags: NDArray[np.int64]
    patterns: list[tuple[object, bool]]  # (weekly hours as decoded JSON, is_24h)
    texts: str  # each station's TEXTS, concatenated
    lengths: NDArray[np.int64]  # shape (n, len(TEXTS)): lengths in characters

    @property
    def size(self) -> int:
        return int(self.ids.size)


def _flags(status: str) -> int:
    open_ = OPEN if status == Station.Status.OPEN else 0
    public = PUBLIC if status in (Station.Status.OPEN, Station.Status.TEMP_CLOSED) else 0
    return open_ | public


def _connection() -> BaseDatabaseWrapper:
    return connections[router.db_for_read(Station)]


def load_columns() -> Columns:
    if _connection().vendor == "postgresql":
        return load_columns_postgresql()
    return load_columns_orm()


def load_columns_orm() -> Columns:
    """Row by row through the ORM: any database."""
    rows = list(
        Station.objects.order_by("id")
        .annotate(weekly_text=Cast("weekly_hours", output_field=TextField()))
        .values_list("id", "lon", "lat", "services_mask", "weekly_text", "is_24h", *TEXTS)
    )
    numbers: dict[tuple[str, bool], int] = {}
    patterns: list[tuple[object, bool]] = []
    pattern = []
    for r in rows:
        key = (r[4] or "", bool(r[5]))
        k = numbers.get(key)
        if k is None:
            k = numbers[key] = len(patterns)
            patterns.append((json.loads(key[0]) if key[0] else [], key[1]))
        pattern.append(k)
    texts = [r[6:] for r in rows]
    return Columns(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        lon=np.array([r[1] for r in rows], dtype=np.float64),
        lat=np.array([r[2] for r in rows], dtype=np.float64),
        mask=np.array([r[3] for r in rows], dtype=np.int64),
        pattern=np.array(pattern, dtype=np.int64),
        flags=np.array([_flags(t[4]) for t in texts], dtype=np.int64),
        patterns=patterns,
        texts="".join("".join(t) for t in texts),
        lengths=np.array([[len(v) for v in t] for t in texts], dtype=np.int64).reshape(
            len(rows), len(TEXTS)
        ),
    )


def _sql() -> str:
    table = Station._meta.db_table
    col = {f: cast(Field, Station._meta.get_field(f)).column for f in (*TEXTS, "lon", "lat")}
    week = Station._meta.get_field("weekly_hours").column
    all_day = Station._meta.get_field("is_24h").column
    mask = Station._meta.get_field("services_mask").column
    status = col["status"]
    # Schedules are numbered in one order ("C" collation: byte order, whatever the database's)
    # on both sides: dense_rank over the stations, row order of the distinct list.
    order = f'{week}::text COLLATE "C", {all_day}'
    texts = " || ".join(col[f] for f in TEXTS)
    lengths = " || ".join(f"int4send(char_length({col[f]}))" for f in TEXTS)
    return f"""
        SELECT
          (SELECT json_agg(json_build_array(w::json, d) ORDER BY w COLLATE "C", d)
             FROM (SELECT DISTINCT {week}::text AS w, {all_day} AS d FROM {table}) p)::text,
          count(*),
          string_agg(
            int8send(id) || float8send({col["lon"]}) || float8send({col["lat"]})
            || int8send({mask}::int8) || int4send(k::int4)
            || int2send((({status} = %(open)s)::int * {OPEN}
                         + ({status} IN (%(open)s, %(temp_closed)s))::int * {PUBLIC})::int2),
            ''::bytea),
          string_agg({texts}, ''),
          string_agg({lengths}, ''::bytea)
        FROM (
          SELECT *, dense_rank() OVER (ORDER BY {order}) - 1 AS k FROM {table} ORDER BY id
        ) s
    """  # noqa: S608 - names come from the model, values are parameters


def load_columns_postgresql() -> Columns:
    """One statement, binary results (see the module docstring)."""
    connection = _connection()
    connection.ensure_connection()
    params = {"open": Station.Status.OPEN, "temp_closed": Station.Status.TEMP_CLOSED}
    # A plain server-side-binding cursor: Django's client-side one has no binary results,
    # and bytea as hex would be decoded in one long call holding the GIL.
    with psycopg.Cursor(connection.connection) as cur:
        cur.execute(_sql(), params, binary=True)
        # an aggregate: always one row (NULLs when there are no stations)
        patterns_json, n, records, texts, lengths = cur.fetchone() or (None, 0, None, None, None)
    n = int(n)
    rec = np.frombuffer(records or b"", dtype=_RECORD, count=n)
    return Columns(
        ids=rec["id"].astype(np.int64),
        lon=rec["lon"].astype(np.float64),
        lat=rec["lat"].astype(np.float64),
        mask=rec["mask"].astype(np.int64),
        pattern=rec["pattern"].astype(np.int64),
        flags=rec["flags"].astype(np.int64),
        patterns=[(w, bool(d)) for w, d in json.loads(patterns_json or "[]")],
        texts=texts or "",
        lengths=np.frombuffer(lengths or b"", dtype=">i4").astype(np.int64).reshape(n, len(TEXTS)),
    )

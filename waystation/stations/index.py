"""The nearest-station index: a KD-tree on 3D unit vectors, built once per process and rebuilt
in a background thread when the registry changes (queries keep the previous index meanwhile).

Chord distance between unit vectors is monotone in great-circle distance, so the tree's order is
the exact great-circle order. Static filters (service, status "open") get a sub-tree of their
own, built on first use; "open now" depends on the clock, so it is checked on the nearest
candidates, asking the tree for more until enough pass.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, connections
from django.db.models import TextField
from django.db.models.functions import Cast
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from waystation.geo.distance import chord_to_metres, unit_vectors

from .hours import TZ, HoursException, OpenState, Schedule, parse_day, parse_week
from .models import SERVICE_BITS, RegistryVersion, Station, StationException


@dataclass
class _Sub:
    rows: NDArray[np.int64]  # positions in the full index
    tree: cKDTree | None


@dataclass
class Index:
    stamp: int
    day: date
    ids: NDArray[np.int64]
    codes: list[str]
    names: list[str]
    addresses: list[str]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    mask: NDArray[np.int64]
    status_open: NDArray[np.bool_]
    public: NDArray[np.bool_]
    statuses: list[str]
    districts: list[str]
    weekly: list[object]
    all_day: NDArray[np.bool_]
    exceptions: dict[int, tuple[HoursException, ...]]
    _subs: dict[tuple[int, bool], _Sub] = field(default_factory=dict)
    _schedules: dict[int, Schedule] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def size(self) -> int:
        return len(self.codes)

    def sub(self, bit: int, only_open: bool) -> _Sub:
        key = (bit, only_open)
        sub = self._subs.get(key)
        if sub is None:
            with self._lock:
                keep = np.ones(self.size, dtype=bool)
                if bit:
                    keep &= (self.mask & bit) == bit
                # the public never sees planned, building or closed stations
                keep &= self.status_open if only_open else self.public
                rows = np.flatnonzero(keep)
                # unbalanced, non-compact: builds in half the time (the GIL is held throughout)
                # and answers as fast on points spread like stations
                tree = (
                    cKDTree(
                        unit_vectors(self.lon[rows], self.lat[rows]),
                        balanced_tree=False,
                        compact_nodes=False,
                    )
                    if rows.size
                    else None
                )
                sub = self._subs[key] = _Sub(rows, tree)
        return sub

    def schedule(self, row: int) -> Schedule:
        sched = self._schedules.get(row)
        if sched is None:
            weekly = self.weekly[row]
            sched = Schedule(
                parse_week(weekly) if weekly else ((),) * 7,
                all_day=bool(self.all_day[row]),
                exceptions=self.exceptions.get(int(self.ids[row]), ()),
            )
            self._schedules[row] = sched
        return sched

    def state(self, row: int, at: datetime) -> OpenState:
        if not self.status_open[row]:
            return OpenState(False, None, note="暂不开放")
        return self.schedule(row).state_at(at)

    def query(
        self,
        lon: float,
        lat: float,
        *,
        bit: int = 0,
        open_now: bool = False,
        limit: int = 5,
        at: datetime | None = None,
    ) -> list[tuple[int, float, OpenState]]:
        """(row, metres, state) of the `limit` nearest stations passing the filters."""
        at = at or datetime.now(TZ)
        sub = self.sub(bit, open_now)
        n = sub.rows.size
        if sub.tree is None or limit <= 0:
            return []
        lam, phi = math.radians(lon), math.radians(lat)
        point = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
        k = min(n, limit * 4 if open_now else limit)
        seen = 0
        hits: list[tuple[int, float]] = []
        while True:
            chords, pos = sub.tree.query(point, k=k)
            chords = np.atleast_1d(chords)
            pos = np.atleast_1d(pos)
            for chord, p in zip(chords[seen:], pos[seen:], strict=True):
                row = int(sub.rows[p])
                if open_now and not self.schedule(row).is_open(at):
                    continue
                hits.append((row, float(chord)))
                if len(hits) == limit:
                    break
            if len(hits) >= limit or k >= n:
                break
            seen = k
            k = min(n, k * 4)
        metres = chord_to_metres(np.array([h[1] for h in hits]))
        return [
            (row, float(m), self.state(row, at)) for (row, _), m in zip(hits, metres, strict=True)
        ]


_current: Index | None = None
_build_lock = threading.Lock()  # one build at a time, cold or in the background
_state_lock = threading.Lock()  # guards _rebuild
_rebuild: threading.Thread | None = None
_checked_at = 0.0  # time.monotonic() of the last stamp read
_dirty = False  # this process changed the registry: read the stamp on the next query
last_build_seconds = 0.0  # how long the last build took (the staleness bound after a change)

log = logging.getLogger(__name__)


def mark_dirty() -> None:
    global _dirty
    _dirty = True


def registry_stamp() -> int:
    # Raw SQL on purpose: this runs on every nearest query, and the ORM costs more than the read.
    with connection.cursor() as cur:
        cur.execute(f"SELECT stamp FROM {RegistryVersion._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cur.fetchone()
    return int(row[0]) if row else 0


def _exceptions_near(day: date) -> dict[int, tuple[HoursException, ...]]:
    """Exceptions that can matter from yesterday to the end of the hours horizon."""
    out: dict[int, list[HoursException]] = {}
    rows = StationException.objects.filter(
        end_date__gte=day - timedelta(days=1), start_date__lte=day + timedelta(days=10)
    ).values_list("station_id", "start_date", "end_date", "closed", "hours", "reason")
    for station_id, start, end, closed, hours, reason in rows:
        out.setdefault(station_id, []).append(
            HoursException(start, end, closed, () if closed else parse_day(hours), reason)
        )
    return {k: tuple(v) for k, v in out.items()}


def _decode_shared(texts: tuple) -> list[object]:
    """JSON texts decoded once per distinct text: most stations share a few weekly schedules,
    and decoding each row's copy was most of the build time at 160,000 stations."""
    decoded: dict[str, object] = {}
    out = []
    for text in texts:
        value = decoded.get(text)
        if value is None:
            value = decoded[text] = json.loads(text) if text else []
        out.append(value)
    return out


def build(stamp: int, day: date) -> Index:
    rows = list(
        Station.objects.order_by("id")
        .annotate(weekly_text=Cast("weekly_hours", output_field=TextField()))
        .values_list(
            "id",
            "code",
            "name",
            "address",
            "lon",
            "lat",
            "services_mask",
            "status",
            "weekly_text",
            "is_24h",
            "district",
        )
    )
    # Column by column in Python rather than one zip(*rows): a long C call would hold the GIL,
    # and the rebuild runs in a thread beside requests.
    cols = [tuple(r[i] for r in rows) for i in range(11)]
    return Index(
        stamp=stamp,
        day=day,
        ids=np.array(cols[0], dtype=np.int64),
        codes=list(cols[1]),
        names=list(cols[2]),
        addresses=list(cols[3]),
        lon=np.array(cols[4], dtype=np.float64),
        lat=np.array(cols[5], dtype=np.float64),
        mask=np.array(cols[6], dtype=np.int64),
        status_open=np.array([s == Station.Status.OPEN for s in cols[7]], dtype=bool),
        public=np.array(
            [s in (Station.Status.OPEN, Station.Status.TEMP_CLOSED) for s in cols[7]], dtype=bool
        ),
        statuses=list(cols[7]),
        districts=list(cols[10]),
        weekly=_decode_shared(cols[8]),
        all_day=np.array(cols[9], dtype=bool),
        exceptions=_exceptions_near(day),
    )


def _build_timed(day: date, warm: Index | None = None) -> Index:
    """Read the stamp, then the registry, under the build lock. The stamp is read first, so a
    change landing during the load leaves the index with an older stamp: rebuilt again, never
    missed. The filtered sub-trees that queries used on `warm` are built here too."""
    global _current, last_build_seconds
    with _build_lock:
        t0 = time.perf_counter()
        idx = build(registry_stamp(), day)
        for bit, only_open in list(warm._subs) if warm is not None else ():
            idx.sub(bit, only_open)
        _current = idx
        last_build_seconds = time.perf_counter() - t0
    return idx


def _rebuild_run(day: date, warm: Index) -> None:
    global _rebuild
    try:
        _build_timed(day, warm)
    except Exception:  # the previous index keeps serving; the next check tries again
        log.exception("stations index rebuild failed")
    finally:
        connections.close_all()  # this thread's own connections
        with _state_lock:
            _rebuild = None


def _rebuild_start(day: date, warm: Index) -> None:
    global _rebuild
    with _state_lock:
        if _rebuild is not None:
            return  # one rebuild at a time; a change it missed is seen at the next check
        _rebuild = threading.Thread(
            target=_rebuild_run, args=(day, warm), name="stations-index-rebuild", daemon=True
        )
        _rebuild.start()


def rebuild_wait(timeout: float | None = None) -> bool:
    """Wait for a background rebuild (if one is running); True once none is running."""
    thread = _rebuild
    if thread is not None:
        thread.join(timeout)
    return _rebuild is None


def station_index() -> Index:
    """The current index. The registry stamp (one primary-key read) is read at most once per
    STATIONS_INDEX_CHECK_SECONDS (default 1 s), and at once after this process changed stations.

    When the stamp (or the day, since exceptions are loaded for the days around today) changed,
    a background thread builds the new index while queries keep getting the previous one: stale
    by at most the build time (`last_build_seconds`), never a stall. Only the first build of a
    process is made inline, and so is any build asked for inside a transaction, whose
    uncommitted changes another thread's connection could not see."""
    global _checked_at, _dirty
    day = datetime.now(TZ).date()
    idx = _current
    now = time.monotonic()
    wait = float(getattr(settings, "STATIONS_INDEX_CHECK_SECONDS", 1.0))
    if idx is not None and not _dirty and idx.day == day and now - _checked_at < wait:
        return idx  # changes made by other processes show within `wait` seconds
    _dirty = False
    _checked_at = now
    stamp = registry_stamp()
    if idx is not None and idx.stamp == stamp and idx.day == day:
        return idx
    if idx is None or connection.in_atomic_block:
        with _build_lock:
            idx = _current
            if idx is not None and idx.stamp == stamp and idx.day == day:
                return idx  # another thread built it meanwhile
        return _build_timed(day, idx)
    _rebuild_start(day, idx)
    return idx


__all__ = [
    "SERVICE_BITS",
    "Index",
    "build",
    "mark_dirty",
    "rebuild_wait",
    "registry_stamp",
    "station_index",
]

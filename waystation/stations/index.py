"""The nearest-station index: the public stations as numpy arrays, a KD-tree on their 3D unit
vectors, built once per process and rebuilt in a background thread when the registry changes
(queries keep the previous index meanwhile).

Chord distance between unit vectors is monotone in great-circle distance, so nearest by chord is
nearest by great-circle distance, exactly. Static filters (service, status "open") get a subset
of their own, built on first use: a KD-tree, or for at most SCAN_MAX stations no tree at all,
since one matrix-vector product over a few hundred rows answers faster than a tree query's
fixed cost. "Open now" depends on the clock: candidates come nearest first and are checked
against every station's opening intervals, precomputed as arrays at build (openings.py), the
tree asked for more until enough pass.

The build reads the registry in a few large objects (index_load.py) and cKDTree releases the
GIL while it builds, so a rebuild leaves the request threads running.
"""

from __future__ import annotations

import contextvars
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, connections, router
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from waystation.geo.distance import chord_to_metres_1, unit_vectors

from .catalogue import catalogue_follow
from .hours import TZ, HoursException, OpenState, Schedule, parse_day, parse_week
from .index_load import OPEN, PUBLIC, TEXTS, Columns, load_columns
from .models import RegistryVersion, StationException
from .openings import Openings

# Up to this many stations a scan (one product with the (n, 3) unit vectors, argpartition)
# beats cKDTree.query's fixed cost per call: 6 against 12 µs at 312 stations, 12 against 15 µs
# at 2,000, even at about 3,000 (measured 2026-12-03 on the 2-core development machine).
SCAN_MAX = 2000

Keep = Callable[[NDArray[np.int64]], NDArray[np.bool_]]  # rows -> which of them qualify


class Texts:
    """One text column of the index: slices of one string shared by all columns."""

    __slots__ = ("_blob", "_ends", "_starts")

    def __init__(self, blob: str, starts: NDArray[np.int64], ends: NDArray[np.int64]) -> None:
        self._blob, self._starts, self._ends = blob, starts, ends

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, row: int) -> str:
        return self._blob[self._starts[row] : self._ends[row]]


@dataclass
class _Sub:
    rows: NDArray[np.int64]  # positions in the full index
    xyz: NDArray[np.float64]  # their unit vectors, (n, 3)
    tree: cKDTree | None  # None: scanned (at most SCAN_MAX rows)

    def nearest(
        self, point: NDArray[np.float64], limit: int, keep: Keep | None
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Rows and chord lengths of the `limit` nearest rows passing `keep`, nearest first."""
        if self.tree is None:
            return self._scan(point, limit, keep)
        n = self.rows.size
        k = min(n, limit if keep is None else limit * 4)
        seen = 0
        rows: list[NDArray[np.int64]] = []
        chords: list[NDArray[np.float64]] = []
        found = 0
        while True:
            dist, pos = self.tree.query(point, k=k)
            dist, pos = np.atleast_1d(dist)[seen:], np.atleast_1d(pos)[seen:]
            got = self.rows[pos]
            if keep is not None:
                ok = keep(got)
                got, dist = got[ok], dist[ok]
            rows.append(got)
            chords.append(dist)
            found += got.size
            if found >= limit or k >= n:
                break
            seen, k = k, min(n, k * 4)
        return np.concatenate(rows)[:limit], np.concatenate(chords)[:limit]

    def _scan(
        self, point: NDArray[np.float64], limit: int, keep: Keep | None
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        dots = self.xyz @ point  # cosine of the angle: larger is nearer
        ok = None if keep is None else np.flatnonzero(keep(self.rows))
        if ok is not None:
            dots = dots[ok]
        m = dots.size
        k = min(limit, m)
        top = np.argpartition(dots, m - k)[m - k :] if k < m else np.arange(m)
        top = top[np.argsort(-dots[top], kind="stable")]
        pos = top if ok is None else ok[top]
        d = self.xyz[pos] - point  # exact chords for the few shown
        return self.rows[pos], np.sqrt(np.einsum("ij,ij->i", d, d))


@dataclass
class Index:
    stamp: int
    day: date
    ids: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    xyz: NDArray[np.float64]
    mask: NDArray[np.int64]
    status_open: NDArray[np.bool_]
    public: NDArray[np.bool_]
    pattern: NDArray[np.int64]  # each station's schedule in `schedules`
    codes: Texts
    names: Texts
    addresses: Texts
    districts: Texts
    statuses: Texts
    schedules: list[Schedule]
    openings: Openings
    _subs: dict[tuple[int, bool], _Sub] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def size(self) -> int:
        return int(self.ids.size)

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
                xyz = np.ascontiguousarray(self.xyz[rows])
                # unbalanced, non-compact: builds in half the time and answers as fast on
                # points spread like stations
                tree = (
                    cKDTree(xyz, balanced_tree=False, compact_nodes=False)
                    if rows.size > SCAN_MAX
                    else None
                )
                sub = self._subs[key] = _Sub(rows, xyz, tree)
        return sub

    def schedule(self, row: int) -> Schedule:
        return self.schedules[int(self.pattern[row])]

    def state(self, row: int, at: datetime, minute: int | None = None) -> OpenState:
        if not self.status_open[row]:
            return OpenState(False, None, note="暂不开放")
        if minute is None:
            minute = self.openings.minute(at)
        if minute is None:  # far from the index's day: the straightforward rule
            return self.schedule(row).state_at(at)
        return self.openings.state(int(self.pattern[row]), minute)

    def open_at(self, at: datetime, minute: int | None = None) -> Keep:
        """Which of the given rows are open at `at` (status open and within their hours)."""
        if minute is None:
            minute = self.openings.minute(at)
        if minute is None:  # far from the index's day: the straightforward rule
            return lambda rows: np.array(
                [bool(self.status_open[r]) and self.schedule(r).is_open(at) for r in rows.tolist()],
                dtype=bool,
            )
        flags = self.openings.open_patterns(minute)
        return lambda rows: flags[self.pattern[rows]] & self.status_open[rows]

    def query(
        self,
        lon: float,
        lat: float,
        *,
        bit: int = 0,
        open_now: bool = False,
        limit: int = 5,
        at: datetime | None = None,
        status_open: bool = False,
    ) -> list[tuple[int, float, OpenState]]:
        """(row, metres, state) of the `limit` nearest stations passing the filters: open now,
        or (`status_open`) of status "open" whatever their hours."""
        at = at or datetime.now(TZ)
        sub = self.sub(bit, open_now or status_open)
        if sub.rows.size == 0 or limit <= 0:
            return []
        lam, phi = math.radians(lon), math.radians(lat)
        point = np.array(
            (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
        )
        minute = self.openings.minute(at)
        keep = self.open_at(at, minute) if open_now else None
        rows, chords = sub.nearest(point, limit, keep)
        return [
            (row, chord_to_metres_1(chord), self.state(row, at, minute))
            for row, chord in zip(rows.tolist(), chords.tolist(), strict=True)
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
    # From where reads of the registry go: the read replica inside core.dbrouter.lagging_reads.
    with connections[router.db_for_read(RegistryVersion)].cursor() as cur:
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


def _schedule(weekly: object, all_day: bool) -> Schedule:
    try:
        week = parse_week(weekly) if weekly else ((),) * 7
    except ValueError:  # saved around the form's checks: no hours rather than no index
        log.warning("stations index: unreadable weekly hours %r, counted as closed", weekly)
        week = ((),) * 7
    return Schedule(week, all_day=all_day)


def assemble(
    stamp: int, day: date, cols: Columns, exceptions: dict[int, tuple[HoursException, ...]]
) -> Index:
    """The index from the registry's columns and the hours exceptions around `day`."""
    ends = np.cumsum(cols.lengths.ravel()).reshape(cols.lengths.shape)
    starts = ends - cols.lengths
    ids, order = cols.ids, None
    if ids.size > 1 and not bool(np.all(ids[1:] > ids[:-1])):  # the loaders sort; be sure
        order = np.argsort(ids, kind="stable")

    def by_id(a: NDArray) -> NDArray:
        return a if order is None else a[order]

    ids, starts, ends = by_id(ids), by_id(starts), by_id(ends)
    pattern, flags = by_id(cols.pattern).copy(), by_id(cols.flags)
    schedules = [_schedule(weekly, all_day) for weekly, all_day in cols.patterns]
    # a station with an exception near the day gets a schedule of its own
    for station_id, excs in exceptions.items():
        row = int(np.searchsorted(ids, station_id))
        if row < ids.size and ids[row] == station_id:
            shared = schedules[pattern[row]]
            pattern[row] = len(schedules)
            schedules.append(Schedule(shared.week, all_day=shared.all_day, exceptions=excs))
    lon, lat = by_id(cols.lon), by_id(cols.lat)
    texts = [Texts(cols.texts, starts[:, c], ends[:, c]) for c in range(len(TEXTS))]
    codes, names, addresses, districts, statuses = texts
    return Index(
        stamp=stamp,
        day=day,
        ids=ids,
        lon=lon,
        lat=lat,
        xyz=unit_vectors(lon, lat),
        mask=by_id(cols.mask),
        status_open=(flags & OPEN) != 0,
        public=(flags & PUBLIC) != 0,
        pattern=pattern,
        codes=codes,
        names=names,
        addresses=addresses,
        districts=districts,
        statuses=statuses,
        schedules=schedules,
        openings=Openings(day, schedules),
    )


def build(stamp: int, day: date) -> Index:
    return assemble(stamp, day, load_columns(), _exceptions_near(day))


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
        # In a copy of the caller's context: the thread reads the registry from the database its
        # caller read the stamp from (the read replica, inside core.dbrouter.lagging_reads).
        _rebuild = threading.Thread(
            target=contextvars.copy_context().run,
            args=(_rebuild_run, day, warm),
            name="stations-index-rebuild",
            daemon=True,
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
    catalogue_follow(stamp)
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
    "Index",
    "assemble",
    "build",
    "mark_dirty",
    "rebuild_wait",
    "registry_stamp",
    "station_index",
]

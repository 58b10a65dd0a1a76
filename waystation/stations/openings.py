"""Every station's opening hours as arrays, so that "open now" is a lookup, not a loop.

The nearest-station index answers "open now?" for many candidates per query and "open until
when?" for each station it shows. `Schedule.state_at` answers both exactly but walks ten days of
datetimes per station; here the same answers come from arrays built once per index:

1. The index is built for one day D. `Schedule.state_at(t)` for a moment t on day d looks at the
   intervals of days d − 1 … d + HORIZON_DAYS. For t on D or D + 1 (the index can outlive its day
   by the time a rebuild takes) that is days D − 1 … D + HORIZON_DAYS + 1: the window.
2. Stations with the same weekly hours and no exception in the window share one schedule (a
   pattern); each station with an exception has its own. Work is per pattern, not per station.
3. Each pattern's intervals over the window (`Schedule.minutes_on`, overnight spans included)
   become whole minutes after 00:00 of D − 1, merged where they touch or overlap, as state_at
   merges them: a sorted, disjoint list per pattern, stored as CSR arrays (`ptr`, `start`, `end`).
4. At minute m a pattern is open iff the last interval starting at or before m ends after m:
   one `searchsorted` over all patterns at once (cached for the minute). The state of one
   pattern at m is that interval's end, or the next interval's start, cut at state_at's horizon.

Hours are whole minutes, so the minute a moment falls in decides everything. Moments outside
D and D + 1 return None from `minute()`: callers fall back to `Schedule`, the straightforward rule.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from numpy.typing import NDArray

from .hours import HORIZON_DAYS, TZ, OpenState, Schedule

DAY = 24 * 60
WINDOW_DAYS = HORIZON_DAYS + 3  # D − 1 … D + HORIZON_DAYS + 1
SPAN = (WINDOW_DAYS + 1) * DAY  # past the end of any interval in the window (sort key stride)


def _merged(schedule: Schedule, first: date) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for k in range(WINDOW_DAYS):
        for start, end in schedule.minutes_on(first + timedelta(days=k)):
            start, end = start + k * DAY, end + k * DAY
            if out and start <= out[-1][1]:
                out[-1][1] = max(out[-1][1], end)
            else:
                out.append([start, end])
    return [(a, b) for a, b in out]


class Openings:
    """Merged open intervals of each pattern over the window around `day` (see module doc)."""

    def __init__(self, day: date, schedules: list[Schedule]) -> None:
        self.day = day
        self.first = day - timedelta(days=1)
        self.base = datetime.combine(self.first, time(0), tzinfo=TZ)
        starts: list[int] = []
        ends: list[int] = []
        ptr = [0]
        for schedule in schedules:
            for a, b in _merged(schedule, self.first):
                starts.append(a)
                ends.append(b)
            ptr.append(len(starts))
        self.ptr = np.array(ptr, dtype=np.int64)
        self.start = np.array(starts, dtype=np.int64)
        self.end = np.array(ends, dtype=np.int64)
        counts = np.diff(self.ptr)
        self._owner = np.repeat(np.arange(len(schedules), dtype=np.int64), counts)
        self._keys = self._owner * SPAN + self.start  # sorted: by pattern, then start
        self._open_cache: tuple[int, NDArray[np.bool_]] = (-1, np.zeros(0, dtype=bool))
        self._state_cache: tuple[int, dict[int, OpenState]] = (-1, {})

    def minute(self, at: datetime) -> int | None:
        """Minutes from 00:00 of D − 1 to `at` (floored), or None outside D and D + 1."""
        local = at.astimezone(TZ)
        days = (local.date() - self.first).days
        if days not in (1, 2):
            return None
        return days * DAY + local.hour * 60 + local.minute

    def _last_started(self, patterns: NDArray[np.int64], m: int) -> NDArray[np.int64]:
        """For each pattern, the position of its last interval starting at or before minute m,
        or -1 if none has."""
        j = np.searchsorted(self._keys, patterns * SPAN + m, side="right") - 1
        return np.where(j >= self.ptr[patterns], j, -1)

    def open_patterns(self, m: int) -> NDArray[np.bool_]:
        """Which patterns are open at minute m (one vectorised lookup, cached for the minute)."""
        cached_m, flags = self._open_cache
        if cached_m != m:
            patterns = np.arange(self.ptr.size - 1, dtype=np.int64)
            j = self._last_started(patterns, m)
            if self.end.size == 0:  # no station opens at all in the window: none is open
                flags = np.zeros(patterns.size, dtype=bool)
            else:
                flags = (j >= 0) & (self.end[np.maximum(j, 0)] > m)
            self._open_cache = (m, flags)
        return flags

    def state(self, pattern: int, m: int) -> OpenState:
        """Open at minute m, and until when: what `Schedule.state_at` answers for that minute."""
        cached_m, states = self._state_cache
        if cached_m != m:
            states = {}
            self._state_cache = (m, states)
        state = states.get(pattern)
        if state is None:
            state = states[pattern] = self._state(pattern, m)
        return state

    def _state(self, pattern: int, m: int) -> OpenState:
        day_start = m - m % DAY
        horizon = day_start + HORIZON_DAYS * DAY  # state_at: open beyond it counts as lasting
        last = horizon + DAY  # state_at looks at starts until the end of the horizon day
        j = int(self._last_started(np.array([pattern], dtype=np.int64), m)[0])
        nxt = j + 1 if j >= 0 else int(self.ptr[pattern])
        next_start = int(self.start[nxt]) if nxt < self.ptr[pattern + 1] else last
        if j >= 0 and self.end[j] > m:
            end = int(self.end[j])
            # state_at says "no change" only when no later interval starts within its days
            lasting = end >= horizon and next_start >= last
            return OpenState(True, None if lasting else self._at(end))
        if next_start < last:
            return OpenState(False, self._at(next_start))
        return OpenState(False, None)

    def _at(self, minutes: int) -> datetime:
        return self.base + timedelta(minutes=minutes)

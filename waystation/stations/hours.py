"""Opening hours: a weekly pattern, 24-hour stations, and dated exceptions (holidays, closures).

Pure Python (no database): the model's `Station.is_open_at(dt)` and the nearest-station index
both call `Schedule.state_at`. All times are wall-clock times in Asia/Shanghai.

- Weekly hours: seven lists (Monday first) of ``["HH:MM", "HH:MM"]`` intervals. A closing time at
  or before the opening time ends on the next day (overnight, e.g. ``["18:00", "02:00"]``);
  ``["00:00", "24:00"]`` is the whole day.
- An exception covers a date range and replaces the weekly hours of each of its days: closed, or
  other hours. An overnight interval of the day before an exception still runs to its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
HORIZON_DAYS = 8  # look this far ahead for "until when"; beyond it the state counts as lasting

Interval = tuple[datetime, datetime]
DayHours = tuple[tuple[int, int], ...]  # (open minute, close minute) pairs of one day


def parse_hhmm(value: str) -> int:
    """Minutes after midnight of "HH:MM" ("24:00" allowed as a closing time); ValueError if bad."""
    text = str(value).strip().replace("：", ":")
    hh, sep, mm = text.partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2:
        raise ValueError(f"时间格式应为 HH:MM：{value}")
    minutes = int(hh) * 60 + int(mm)
    if int(mm) > 59 or minutes > 24 * 60:
        raise ValueError(f"时间无效：{value}")
    return minutes


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_day(pairs: object) -> DayHours:
    """One day's intervals from ``[["08:00", "20:00"], ...]``; ValueError if malformed."""
    if not isinstance(pairs, list | tuple):
        raise ValueError("每天的开放时间应为时间段列表")
    out = []
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError("时间段应为 [开门, 关门]")
        start, end = parse_hhmm(pair[0]), parse_hhmm(pair[1])
        if start == 24 * 60:
            raise ValueError("开门时间不能是 24:00")
        out.append((start, end))
    return tuple(sorted(out))


def parse_week(weekly: object) -> tuple[DayHours, ...]:
    if not isinstance(weekly, list | tuple) or len(weekly) != 7:
        raise ValueError("每周开放时间应有 7 天（周一至周日）")
    return tuple(parse_day(day) for day in weekly)


def week_to_json(week: tuple[DayHours, ...]) -> list[list[list[str]]]:
    return [[[format_hhmm(a), format_hhmm(b)] for a, b in day] for day in week]


@dataclass(frozen=True)
class HoursException:
    start: date
    end: date
    closed: bool
    hours: DayHours = ()
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class OpenState:
    """Open or closed at a moment, and until when (None: no change within the horizon)."""

    open: bool
    until: datetime | None = None
    note: str = ""

    @property
    def label(self) -> str:
        if self.note:
            return self.note
        if self.open:
            if self.until is None:
                return "24小时开放"
            return f"开放中，至 {_when(self.until)}"
        if self.until is None:
            return "暂不开放"
        return f"已关门，{_when(self.until)} 开门"


def _when(t: datetime) -> str:
    local = t.astimezone(TZ)
    today = datetime.now(TZ).date()
    hhmm = local.strftime("%H:%M")
    if local.date() == today:
        return hhmm
    if local.date() == today + timedelta(days=1):
        return f"明天 {hhmm}"
    return f"{local.month}月{local.day}日 {hhmm}"


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TZ) + timedelta(minutes=minutes)


class Schedule:
    """A station's hours with its exceptions; answers "open at t, and until when?"."""

    def __init__(
        self,
        week: tuple[DayHours, ...],
        *,
        all_day: bool = False,
        exceptions: tuple[HoursException, ...] = (),
    ) -> None:
        self.week = week
        self.all_day = all_day
        self.exceptions = exceptions

    def hours_on(self, day: date) -> DayHours:
        for exc in self.exceptions:
            if exc.covers(day):
                return () if exc.closed else exc.hours
        if self.all_day:
            return ((0, 24 * 60),)
        return self.week[day.weekday()]

    def minutes_on(self, day: date) -> list[tuple[int, int]]:
        """The day's intervals in minutes after its midnight, in order of their start; an end
        past 1440 falls on the next day."""
        # closing at or before opening: the interval ends on the next day
        return [(s, e if e > s else e + 24 * 60) for s, e in self.hours_on(day)]

    def intervals_on(self, day: date) -> list[Interval]:
        return [(_at(day, start), _at(day, end)) for start, end in self.minutes_on(day)]

    def is_open(self, t: datetime) -> bool:
        """Open at `t`? The cheap test (whole minutes, today and yesterday's overnight hours) used
        to filter many stations; `state_at` adds "until when" for the few that are shown."""
        local = t.astimezone(TZ)
        day = local.date()
        minute = local.hour * 60 + local.minute
        for start, end in self.hours_on(day):
            if start <= minute and (minute < end or end <= start):
                return True
        return any(
            end <= start and minute < end for start, end in self.hours_on(day - timedelta(days=1))
        )

    def state_at(self, t: datetime) -> OpenState:
        local = t.astimezone(TZ)
        first = local.date() - timedelta(days=1)
        horizon = _at(first + timedelta(days=HORIZON_DAYS + 1), 0)
        # Intervals come in order of their start (day by day, each day sorted): merge touching
        # ones as they come and stop at the first answer.
        current: list[datetime] | None = None
        for k in range(HORIZON_DAYS + 2):
            for start, end in self.intervals_on(first + timedelta(days=k)):
                if current is not None and start <= current[1]:
                    current[1] = max(current[1], end)
                    continue
                if current is not None and current[0] <= local < current[1]:
                    return OpenState(True, current[1])
                if start > local:
                    return OpenState(False, start)
                current = [start, end]
        if current is not None and current[0] <= local < current[1]:
            return OpenState(True, None if current[1] >= horizon else current[1])
        return OpenState(False, None)

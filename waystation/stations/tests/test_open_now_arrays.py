"""The index answers "open now" and "until when" from opening intervals precomputed as arrays
(openings.py). Those answers must be the ones of the straightforward rule, `Station.is_open_at`,
for every kind of hours: overnight spans, 24 hours, closed days, closures and other hours on
dated exceptions, stations not open at all. Checked on many random stations and moments."""

import random
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest

from waystation.geo.distance import haversine_m
from waystation.stations import index
from waystation.stations.hours import TZ, format_hhmm
from waystation.stations.models import Station, StationException
from waystation.stations.selectors import stations_nearest
from waystation.stations.services import registry_touch

from .conftest import city_of

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)  # a Monday


def _day(rnd: random.Random) -> list[list[str]]:
    out = []
    for _ in range(rnd.choice([0, 1, 1, 2, 3])):
        start = rnd.randrange(0, 24 * 60, rnd.choice([1, 30, 60]))
        # closing before opening (overnight), at it (round the clock to the next day), 24:00
        end = rnd.choice([rnd.randrange(0, 24 * 60 + 1), start, 24 * 60, 0, (start + 90) % 1440])
        out.append([format_hhmm(start), format_hhmm(end)])
    return out


def _random_stations(n: int, day: date, seed: int = 3) -> list[Station]:
    rnd = random.Random(seed)
    statuses = [Station.Status.OPEN] * 8 + [Station.Status.TEMP_CLOSED, Station.Status.CLOSED]
    every_day = [[["08:00", "20:00"]]] * 7
    city = city_of("tianning")
    stations = Station.objects.bulk_create(
        Station(
            code=f"H{i:04d}",
            name=f"驿站{i}",
            city_id=city,
            district_id="tianning",
            lon=rnd.uniform(119.8, 120.1),
            lat=rnd.uniform(31.6, 31.9),
            # a third share one schedule (one pattern in the index), the rest are all different
            weekly_hours=every_day if i % 3 == 0 else [_day(rnd) for _ in range(7)],
            is_24h=rnd.random() < 0.1,
            status=rnd.choice(statuses),
        )
        for i in range(n)
    )
    exceptions = []
    for station in stations:
        for _ in range(rnd.choice([0, 0, 0, 1, 2])):
            start = day + timedelta(days=rnd.randrange(-2, 11))
            closed = rnd.random() < 0.5
            exceptions.append(
                StationException(
                    station=station,
                    city_id=city,
                    start_date=start,
                    end_date=start + timedelta(days=rnd.randrange(0, 3)),
                    closed=closed,
                    hours=[] if closed else _day(rnd),
                )
            )
    StationException.objects.bulk_create(exceptions)
    registry_touch()
    return list(Station.objects.order_by("id").prefetch_related("exceptions"))


def _moments(day: date, n: int, seed: int = 5) -> list[datetime]:
    """Random moments on `day` and the next day, some on the minute, some between minutes."""
    rnd = random.Random(seed)
    start = datetime.combine(day, time(0), tzinfo=TZ)
    out = [
        start + timedelta(seconds=rnd.randrange(0, 2 * 86400), microseconds=17) for _ in range(n)
    ]
    # every boundary that matters most: midnight, and around common opening and closing times
    out += [start + timedelta(days=d, minutes=m) for d in (0, 1) for m in (0, 479, 480, 1199, 1200)]
    return out


def test_state_from_the_arrays_is_station_is_open_at_for_random_stations_and_moments():
    stations = _random_stations(240, DAY)
    idx = index.build(1, DAY)
    rows = {int(station_id): row for row, station_id in enumerate(idx.ids)}
    checked = 0
    for t in _moments(DAY, 60):
        assert idx.openings.minute(t) is not None  # the fast path, not the fallback
        for station in stations:
            row = rows[station.pk]
            expected = station.is_open_at(t)
            got = idx.state(row, t)
            assert (got.open, got.until) == (expected.open, expected.until), (station.code, t)
            checked += 1
    assert checked == 240 * 70


def test_the_vectorised_open_test_is_station_is_open_at_for_random_stations_and_moments():
    stations = _random_stations(240, DAY)
    idx = index.build(1, DAY)
    rows = np.array([int(np.searchsorted(idx.ids, s.pk)) for s in stations])
    for t in _moments(DAY, 60):
        expected = [s.is_open_at(t).open for s in stations]
        assert idx.open_at(t)(rows).tolist() == expected, t


def test_moments_far_from_the_index_day_fall_back_to_the_schedule_and_agree_too():
    stations = _random_stations(60, DAY)
    idx = index.build(1, DAY)
    # the day before (yesterday's overnight hours are outside the arrays), two days on, a week on
    far = [
        datetime(2026, 3, 1, 0, 30, tzinfo=TZ),
        datetime(2026, 3, 1, 23, 59, tzinfo=TZ),
        datetime(2026, 3, 4, 0, 0, tzinfo=TZ),
        datetime(2026, 3, 4, 21, 0, tzinfo=TZ),
        datetime(2026, 3, 9, 1, 0, tzinfo=TZ),
    ]
    for t in far:
        assert idx.openings.minute(t) is None
        for row, station in enumerate(stations):
            expected = station.is_open_at(t)
            got = idx.state(row, t)
            assert (got.open, got.until) == (expected.open, expected.until), (station.code, t)
        assert idx.open_at(t)(np.arange(len(stations))).tolist() == [
            s.is_open_at(t).open for s in stations
        ]


@pytest.mark.parametrize("scan", [True, False], ids=["scan", "kd-tree"])
def test_open_now_returns_the_nearest_stations_open_by_the_straightforward_rule(monkeypatch, scan):
    if not scan:
        monkeypatch.setattr(index, "SCAN_MAX", 0)  # every subset gets its tree
    today = datetime.now(TZ).date()
    stations = _random_stations(240, today, seed=11)
    lon = np.array([s.lon for s in stations])
    lat = np.array([s.lat for s in stations])
    rnd = random.Random(13)
    for t in _moments(today, 12, seed=17):
        is_open = np.array([s.is_open_at(t).open for s in stations])
        for _ in range(3):
            x, y = rnd.uniform(119.8, 120.1), rnd.uniform(31.6, 31.9)
            d = np.where(is_open, haversine_m(x, y, lon, lat), np.inf)
            expected = [stations[i].code for i in np.argsort(d)[:5] if np.isfinite(d[i])]
            hits = stations_nearest(lon=x, lat=y, open_now=True, limit=5, at=t)
            assert [h.code for h in hits] == expected, t
            assert all(h.open_now for h in hits)
    assert (index.station_index().sub(0, True).tree is None) == scan

from datetime import date, datetime
from zoneinfo import ZoneInfo

from waystation.stations.hours import TZ, HoursException, Schedule, parse_week
from waystation.stations.models import Station

UTC = ZoneInfo("UTC")
DAILY = parse_week([[["08:00", "20:00"]]] * 7)
NIGHT = parse_week([[["18:00", "02:00"]]] * 7)


def at(y, m, d, hh, mm=0, tz=TZ):
    return datetime(y, m, d, hh, mm, tzinfo=tz)


def test_open_during_the_day_until_closing_time():
    state = Schedule(DAILY).state_at(at(2026, 3, 2, 9))
    assert state.open
    assert state.until == at(2026, 3, 2, 20)


def test_closed_at_night_until_the_next_morning():
    state = Schedule(DAILY).state_at(at(2026, 3, 2, 21))
    assert not state.open
    assert state.until == at(2026, 3, 3, 8)


def test_closing_time_itself_is_closed():
    assert not Schedule(DAILY).state_at(at(2026, 3, 2, 20)).open


def test_overnight_hours_run_past_midnight_into_the_next_day():
    state = Schedule(NIGHT).state_at(at(2026, 3, 3, 1, 30))
    assert state.open
    assert state.until == at(2026, 3, 3, 2)


def test_overnight_hours_are_closed_in_the_afternoon():
    state = Schedule(NIGHT).state_at(at(2026, 3, 3, 15))
    assert not state.open
    assert state.until == at(2026, 3, 3, 18)


def test_weekend_off_reopens_on_monday():
    week = parse_week([[["09:00", "17:00"]]] * 5 + [[], []])
    state = Schedule(week).state_at(at(2026, 3, 7, 10))  # a Saturday
    assert not state.open
    assert state.until == at(2026, 3, 9, 9)


def test_24_hour_station_is_open_with_no_closing_time():
    state = Schedule(DAILY, all_day=True).state_at(at(2026, 3, 2, 3))
    assert state.open
    assert state.until is None
    assert state.label == "24小时开放"


def test_holiday_exception_closes_the_day():
    holiday = HoursException(date(2026, 10, 1), date(2026, 10, 3), closed=True)
    state = Schedule(DAILY, exceptions=(holiday,)).state_at(at(2026, 10, 2, 10))
    assert not state.open
    assert state.until == at(2026, 10, 4, 8)


def test_exception_with_short_hours_replaces_the_weekly_hours():
    short = HoursException(date(2026, 2, 17), date(2026, 2, 17), closed=False, hours=((600, 840),))
    schedule = Schedule(DAILY, exceptions=(short,))
    assert not schedule.state_at(at(2026, 2, 17, 9)).open
    assert schedule.state_at(at(2026, 2, 17, 13)).until == at(2026, 2, 17, 14)


def test_exception_closes_even_a_24_hour_station():
    closed = HoursException(date(2026, 3, 3), date(2026, 3, 3), closed=True)
    schedule = Schedule(DAILY, all_day=True, exceptions=(closed,))
    assert schedule.state_at(at(2026, 3, 2, 23)).until == at(2026, 3, 3, 0)
    assert not schedule.state_at(at(2026, 3, 3, 12)).open


def test_time_is_read_in_shanghai_whatever_zone_it_comes_in():
    # 01:00 UTC is 09:00 in Shanghai: open; 13:00 UTC is 21:00: closed
    assert Schedule(DAILY).state_at(at(2026, 3, 2, 1, tz=UTC)).open
    assert not Schedule(DAILY).state_at(at(2026, 3, 2, 13, tz=UTC)).open


def test_a_station_that_is_not_open_status_is_closed_whatever_its_hours(make_station):
    station = make_station(status=Station.Status.TEMP_CLOSED)
    state = station.is_open_at(at(2026, 3, 2, 10))
    assert not state.open
    assert state.label == "暂停开放"


def test_station_is_open_at_uses_its_exceptions(make_station, people):
    from waystation.stations import services

    station = make_station()
    services.exception_add(
        station=station,
        start_date=date(2026, 5, 1),
        end_date=date(2026, 5, 1),
        reason="劳动节",
        actor=people.alice,
    )
    assert not station.is_open_at(at(2026, 5, 1, 10)).open
    assert station.is_open_at(at(2026, 5, 2, 10)).open


def test_the_quick_open_test_agrees_with_state_at_around_the_week():
    from datetime import timedelta

    lunch = parse_week([[["07:00", "11:30"], ["13:30", "19:00"]]] * 6 + [[["22:00", "06:00"]]])
    holiday = HoursException(date(2026, 3, 4), date(2026, 3, 4), closed=True)
    for schedule in (
        Schedule(DAILY),
        Schedule(NIGHT, exceptions=(holiday,)),
        Schedule(lunch),
        Schedule(DAILY, all_day=True, exceptions=(holiday,)),
    ):
        t = at(2026, 3, 2, 0)
        for _ in range(7 * 48):
            assert schedule.is_open(t) == schedule.state_at(t).open, t
            t += timedelta(minutes=30)

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waystation.members.cards import card_token
from waystation.stations import checkins
from waystation.stations.codes import poster_code
from waystation.stations.models import Station, Visit


def scan(station, **kw):
    """A check-in in front of the station's poster (its code makes the visit count)."""
    return checkins.checkin_record(station=station, poster_code=poster_code(station), **kw)


def test_member_checkin_is_personal_and_carries_the_members_industry(make_station, member):
    result = scan(make_station(), member=member)
    assert result.counted
    assert result.visit.member == member
    assert result.visit.industry_id == "food_delivery"


def test_repeated_scans_by_one_member_within_30_minutes_count_once(make_station, member):
    station = make_station()
    t0 = timezone.now()
    first = scan(station, member=member, at=t0)
    again = scan(station, member=member, at=t0 + timedelta(minutes=29))
    assert not again.counted
    assert again.visit == first.visit
    assert Visit.objects.count() == 1


def test_a_scan_after_30_minutes_counts_again(make_station, member):
    station = make_station()
    t0 = timezone.now() - timedelta(hours=1)
    scan(station, member=member, at=t0)
    later = scan(station, member=member, at=t0 + timedelta(minutes=31))
    assert later.counted
    assert Visit.objects.count() == 2


def test_the_same_member_at_another_station_counts(make_station, member):
    scan(make_station("TN001"), member=member)
    other = scan(make_station("TN002", lon=120.0, lat=31.77), member=member)
    assert other.counted


def test_anonymous_checkins_without_a_browser_key_all_count(make_station):
    station = make_station()
    scan(station, industry="express")
    scan(station, industry="express")
    assert Visit.objects.filter(member=None).count() == 2


def test_anonymous_scans_from_one_browser_count_once(make_station):
    station = make_station()
    scan(station, visitor_key="k1")
    assert not scan(station, visitor_key="k1").counted
    assert scan(station, visitor_key="k2").counted


def test_card_token_makes_an_api_checkin_personal(client, make_station, member):
    station = make_station()
    resp = client.post(
        "/api/v1/stations/TN001/checkins",
        {"card_token": card_token(member.member_number), "poster_code": poster_code(station)},
        content_type="application/json",
    )
    assert resp.status_code == 201
    assert resp.json()["member"] is True
    resp = client.post(
        "/api/v1/stations/TN001/checkins",
        {"card_token": card_token(member.member_number), "poster_code": poster_code(station)},
        content_type="application/json",
    )
    assert resp.status_code == 200
    assert resp.json()["counted"] is False


def test_forged_card_token_is_refused(client, make_station):
    make_station()
    resp = client.post(
        "/api/v1/stations/TN001/checkins",
        {"card_token": "forged"},
        content_type="application/json",
    )
    assert resp.status_code == 400
    assert "card_token" in resp.json()["errors"]


def test_unknown_industry_is_refused(make_station):
    with pytest.raises(ValidationError):
        checkins.checkin_record(station=make_station(), industry="astronaut")


def test_checkin_at_a_temporarily_closed_station_is_refused(make_station):
    station = make_station(status=Station.Status.TEMP_CLOSED)
    with pytest.raises(ValidationError):
        checkins.checkin_record(station=station)


def test_checkin_page_counts_a_browser_once(client, make_station):
    form = {"industry": "express", "poster_code": poster_code(make_station())}
    first = client.post("/stations/TN001/checkin/", form, follow=True)
    assert "签到成功" in first.content.decode()
    again = client.post("/stations/TN001/checkin/", form, follow=True)
    assert "您刚刚已签到" in again.content.decode()
    assert Visit.objects.get().industry_id == "express"


def test_checkin_page_of_an_unknown_station_is_404(client, db):
    assert client.get("/stations/NOPE/checkin/").status_code == 404


def test_visit_stats_group_by_hour_in_shanghai(make_station):
    from datetime import datetime

    from waystation.stations.hours import TZ
    from waystation.stations.selectors import visit_stats

    station = make_station()
    today = date.today()
    at = datetime(today.year, today.month, today.day, 9, 15, tzinfo=TZ) - timedelta(days=1)
    scan(station, industry="express", at=at)
    stats = visit_stats(station)
    assert stats["by_hour"][9]["n"] == 1
    assert stats["by_industry"] == [{"name": "快递", "n": 1}]

"""Anonymous check-ins are limited per IP address per station per 30 minutes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from waystation.stations import checkins
from waystation.stations.codes import poster_code
from waystation.stations.models import Visit


@pytest.fixture(autouse=True)
def _three_per_ip(settings):
    settings.STATIONS_ANON_CHECKINS_PER_IP = 3


def scan(station, *, ip="203.0.113.7", at=None, **kw):
    return checkins.checkin_record(
        station=station,
        poster_code=poster_code(station),
        ip=ip,
        industry="express",
        at=at,
        **kw,
    )


def test_anonymous_checkins_beyond_the_limit_from_one_ip_are_not_recorded(make_station):
    station = make_station()
    results = [scan(station, visitor_key=f"browser{i}") for i in range(5)]
    assert [r.counted for r in results] == [True, True, True, False, False]
    assert [r.limited for r in results] == [False, False, False, True, True]
    assert results[3].visit is None
    assert Visit.objects.count() == 3


def test_the_limit_is_per_station(make_station):
    here, there = make_station("TN001"), make_station("TN002", lon=120.0, lat=31.77)
    for _ in range(3):
        scan(here)
    assert scan(there).counted


def test_another_ip_address_is_not_held_back(make_station):
    station = make_station()
    for _ in range(3):
        scan(station)
    assert scan(station, ip="198.51.100.1").counted


def test_the_window_is_30_minutes(make_station):
    station = make_station()
    t0 = timezone.now() - timedelta(hours=1)
    for _ in range(3):
        scan(station, at=t0)
    assert scan(station, at=t0 + timedelta(minutes=29)).limited
    assert scan(station, at=t0 + timedelta(minutes=31)).counted


def test_members_are_not_limited_by_their_ip_address(make_station, member):
    station = make_station()
    for _ in range(3):
        scan(station)
    assert scan(station, member=member).counted


def test_the_ip_address_is_stored_only_as_a_keyed_hash(make_station):
    scan(make_station())
    visit = Visit.objects.get()
    assert "203.0.113.7" not in visit.ip_key
    assert len(visit.ip_key) == 64


def test_the_page_thanks_a_limited_visitor_without_recording_the_visit(client, make_station):
    form = {"industry": "express", "poster_code": poster_code(make_station())}
    for _ in range(3):
        client.cookies.clear()  # a fresh browser each time: only the address is the same
        client.post("/stations/TN001/checkin/", form)
    client.cookies.clear()
    resp = client.post("/stations/TN001/checkin/", form, follow=True)
    assert resp.status_code == 200
    assert "谢谢您的到访" in resp.content.decode()
    assert "未计入统计" in resp.content.decode()
    assert Visit.objects.count() == 3


def test_the_api_answers_a_limited_checkin_with_200_and_no_visit(client, make_station):
    body = {"industry": "express", "poster_code": poster_code(make_station())}
    url = "/api/v1/stations/TN001/checkins"
    codes = [client.post(url, body, content_type="application/json").status_code for _ in range(3)]
    assert codes == [201, 201, 201]
    resp = client.post(url, body, content_type="application/json")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["counted"], body["limited"], body["visit_id"]) == (False, True, None)
    assert "未计入" in body["message"]
    assert Visit.objects.count() == 3

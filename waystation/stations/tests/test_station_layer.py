"""The station list (`GET /api/v1/stations`) is cached until a station changes, with an ETag."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waystation.stations import layer, services
from waystation.stations.hours import TZ
from waystation.stations.models import RegistryVersion, Station

URL = "/api/v1/stations"


@pytest.fixture
def two(make_station):
    make_station("TN001", name="人民路驿站", services=["water", "legal_aid"])
    make_station("ZL001", name="钟楼驿站", lon=119.94, lat=31.76)


def names(resp) -> list[str]:
    return [f["properties"]["name"] for f in resp.json()["features"]]


def test_the_second_request_runs_only_the_stamp_check(client, two):
    first = client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(URL)
    assert second.content == first.content
    (stamp_check,) = [q["sql"] for q in queries]
    assert RegistryVersion._meta.db_table in stamp_check
    assert Station._meta.db_table not in stamp_check


def test_a_station_edit_changes_the_answer_at_once(client, two, people):
    first = client.get(URL)
    services.station_update(
        station=Station.objects.get(code="TN001"), data={"name": "新人民路驿站"}, actor=people.alice
    )
    second = client.get(URL, headers={"if-none-match": first["ETag"]})
    assert second.status_code == 200
    assert names(second) == ["新人民路驿站", "钟楼驿站"]
    assert second["ETag"] != first["ETag"]


def test_a_closure_added_today_shows_at_once(client, make_station, people):
    station = make_station("TN001", is_24h=True)
    assert client.get(URL).json()["features"][0]["properties"]["open_now"] is True
    today = datetime.now(TZ).date()
    services.exception_add(
        station=station, start_date=today, end_date=today, reason="检修", actor=people.alice
    )
    tn = client.get(URL).json()["features"][0]["properties"]
    assert (tn["open_now"], tn["open_label"]) == (False, "已关门，明天 00:00 开门")


def test_an_unchanged_layer_answers_304_to_its_etag(client, two):
    first = client.get(URL)
    assert first["Cache-Control"] == "no-cache"
    again = client.get(URL, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert client.get(URL, headers={"if-none-match": '"other"'}).status_code == 200


def test_filters_are_cached_apart(client, two):
    everything = client.get(URL)
    assert names(client.get(URL + "?district=zhonglou")) == ["钟楼驿站"]
    assert names(client.get(URL + "?service=legal_aid")) == ["人民路驿站"]
    assert names(client.get(URL)) == ["人民路驿站", "钟楼驿站"]
    gcj = client.get(URL + "?datum=gcj02")
    assert gcj["ETag"] != everything["ETag"]
    assert gcj.json()["datum"] == "gcj02"
    assert gcj.json()["features"][0]["geometry"]["coordinates"] == [119.9947869, 31.7780103]
    assert client.get(URL + "?datum=GCJ-02")["ETag"] == gcj["ETag"]  # one entry, one spelling


def test_an_unknown_filter_is_a_400_and_not_cached(client, two):
    resp = client.get(URL + "?district=paris")
    assert resp.status_code == 400
    assert resp.json() == {"errors": {"district": ["未知区域“paris” (unknown district)"]}}
    assert len(layer._cache) == 0


def test_the_layer_expires_when_a_station_opens(make_station):
    make_station("TN001", weekly_hours=[[["08:00", "20:00"]]] * 7)
    before = layer.station_layer(open_now=True, at=datetime(2026, 12, 2, 7, 59, tzinfo=TZ))
    assert b'"features":[]' in before.body
    assert before.expires == datetime(2026, 12, 2, 8, 0, tzinfo=TZ)
    hit = layer.station_layer(open_now=True, at=datetime(2026, 12, 2, 7, 59, 30, tzinfo=TZ))
    assert hit is before
    after = layer.station_layer(open_now=True, at=datetime(2026, 12, 2, 8, 0, tzinfo=TZ))
    assert b'"code":"TN001"' in after.body
    assert after.expires == datetime(2026, 12, 2, 20, 0, tzinfo=TZ)


def test_a_24_hour_layer_expires_at_midnight(make_station):
    make_station("TN001", is_24h=True)
    built = layer.station_layer(at=datetime(2026, 12, 2, 15, 0, tzinfo=TZ))
    assert built.expires == datetime(2026, 12, 3, 0, 0, tzinfo=TZ)

import json

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from waystation.geo.distance import haversine_m
from waystation.stations import index as station_index_module
from waystation.stations.catalogue import services_mask
from waystation.stations.models import Station
from waystation.stations.selectors import stations_nearest
from waystation.stations.services import registry_touch

from .conftest import city_of

pytestmark = pytest.mark.django_db


def _random_stations(n, seed=7):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(119.3, 120.2, n)
    lat = rng.uniform(31.2, 32.1, n)
    city = city_of("tianning")
    Station.objects.bulk_create(
        Station(
            code=f"R{i:04d}",
            name=f"驿站{i}",
            city_id=city,
            district_id="tianning",
            lon=float(lon[i]),
            lat=float(lat[i]),
            is_24h=True,
            services_mask=services_mask(["water", "legal_aid"] if i % 10 == 0 else ["water"]),
        )
        for i in range(n)
    )
    registry_touch()
    return lon, lat


@pytest.fixture(params=["scan", "kd-tree"])
def search(request, monkeypatch):
    """Both ways the index searches: a scan (few stations) and a KD-tree (many)."""
    if request.param == "kd-tree":
        monkeypatch.setattr(station_index_module, "SCAN_MAX", 0)
    return request.param


def test_nearest_matches_a_brute_force_great_circle_search(search):
    lon, lat = _random_stations(500)
    rng = np.random.default_rng(11)
    for qlon, qlat in zip(rng.uniform(119.3, 120.2, 25), rng.uniform(31.2, 32.1, 25), strict=True):
        hits = stations_nearest(lon=qlon, lat=qlat, limit=5)
        d = haversine_m(qlon, qlat, lon, lat)
        expected = [f"R{i:04d}" for i in np.argsort(d)[:5]]
        assert [h.code for h in hits] == expected
        assert abs(hits[0].distance_m - d.min()) <= 1


def test_service_filter_returns_only_stations_with_the_service_in_distance_order(search):
    lon, lat = _random_stations(500)
    hits = stations_nearest(lon=119.8, lat=31.7, service="legal_aid", limit=5)
    d = haversine_m(119.8, 31.7, lon, lat)
    with_service = [i for i in np.argsort(d) if i % 10 == 0][:5]
    assert [h.code for h in hits] == [f"R{i:04d}" for i in with_service]


def test_open_now_skips_closed_stations_and_still_returns_enough(make_station):
    from datetime import datetime

    from waystation.stations.hours import TZ

    make_station("TN001", lon=119.99, lat=31.78)  # nearest, open 08–20
    make_station("TN002", lon=120.0, lat=31.77, is_24h=True)
    make_station("TN003", lon=120.01, lat=31.79, is_24h=True)
    night = datetime(2026, 3, 2, 23, tzinfo=TZ)
    hits = stations_nearest(lon=119.99, lat=31.78, open_now=True, limit=2, at=night)
    assert [h.code for h in hits] == ["TN002", "TN003"]
    assert [h.code for h in stations_nearest(lon=119.99, lat=31.78, limit=1, at=night)] == ["TN001"]


def test_planned_and_closed_stations_are_never_offered(make_station):
    make_station("TN001", status=Station.Status.PLANNED)
    make_station("TN002", lon=120.0, lat=31.77)
    assert [h.code for h in stations_nearest(lon=119.99, lat=31.78, limit=5)] == ["TN002"]


def test_index_is_rebuilt_when_a_station_changes(make_station, people):
    from waystation.stations import services

    station = make_station("TN001")
    assert stations_nearest(lon=119.99, lat=31.78, limit=1)[0].code == "TN001"
    first = station_index_module.station_index()
    services.station_update(station=station, data={"status": "closed"}, actor=people.admin)
    assert stations_nearest(lon=119.99, lat=31.78, limit=1) == []
    assert station_index_module.station_index() is not first


def test_index_is_reused_while_nothing_changes(make_station):
    make_station("TN001")
    first = station_index_module.station_index()
    assert station_index_module.station_index() is first


def test_results_come_back_in_the_datum_asked_for(make_station):
    from waystation.geo.datums import wgs84_to_gcj02

    make_station("TN001", lon=119.99, lat=31.78)
    hit = stations_nearest(lon=119.99, lat=31.78, datum="gcj02", limit=1)
    # the query point is read as GCJ-02 too, so the station is ~500 m off; its output is GCJ-02
    gx, gy = wgs84_to_gcj02(119.99, 31.78)
    assert haversine_m(hit[0].lon, hit[0].lat, gx, gy) < 0.01


def test_walk_and_ebike_minutes_use_the_detour_factor(make_station):
    make_station("TN001", lon=119.99, lat=31.78)
    hit = stations_nearest(lon=119.99, lat=31.789, limit=1)[0]  # ~1 km north
    assert 990 < hit.distance_m < 1010
    assert hit.walk_min == 16  # 1 km × 1.3 at 5 km/h = 15.6 min
    assert hit.ebike_min == 6


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lon=nan&lat=31.8", "lon"),
        ("lon=119.9&lat=95", "lat"),
        ("lon=abc&lat=31.8", "lon"),
        ("lon=2.35&lat=48.85&datum=gcj02", "lon"),
        ("lon=119.9&lat=31.8&datum=mars", "datum"),
        ("lon=119.9&lat=31.8&service=sauna", "service"),
        ("lon=119.9&lat=31.8&limit=0", "limit"),
        ("lon=119.9&lat=31.8&limit=x", "limit"),
        ("lon=119.9&lat=31.8&open_now=maybe", "open_now"),
        ("lat=31.8", "lon"),
    ],
)
def test_api_answers_bad_input_with_400_and_a_message(client, query, field):
    resp = client.get(f"/api/v1/stations/nearest?{query}")
    assert resp.status_code == 400
    assert field in resp.json()["errors"]


def test_api_nearest_lists_fields_of_the_issue(client, make_station):
    make_station("TN001", lon=119.99, lat=31.78)
    resp = client.get("/api/v1/stations/nearest?lon=119.99&lat=31.781&datum=wgs84&limit=5")
    assert resp.status_code == 200
    (hit,) = resp.json()
    assert {
        "code",
        "name",
        "distance_m",
        "walk_min",
        "ebike_min",
        "open_now",
        "open_until",
        "services",
        "lon",
        "lat",
    } <= set(hit)
    assert hit["services"] == ["water", "rest"]


def test_api_station_list_is_geojson_with_filters(client, make_station):
    make_station("TN001", services=["water", "legal_aid"])
    make_station("ZL001", lon=119.94, lat=31.76)
    all_ = client.get("/api/v1/stations").json()
    assert all_["type"] == "FeatureCollection"
    assert len(all_["features"]) == 2
    legal = client.get("/api/v1/stations?service=legal_aid").json()
    assert [f["properties"]["code"] for f in legal["features"]] == ["TN001"]
    zl = client.get("/api/v1/stations?district=zhonglou").json()
    assert [f["properties"]["code"] for f in zl["features"]] == ["ZL001"]
    assert client.get("/api/v1/stations?service=sauna").status_code == 400
    assert client.get("/api/v1/stations?district=paris").status_code == 400


def test_nearest_refuses_a_limit_above_fifty():
    with pytest.raises(ValidationError):
        stations_nearest(lon=119.9, lat=31.8, limit=51)


def test_districts_layer_is_served_as_geojson(client):
    body = json.loads(client.get("/stations/districts.geojson").content)
    assert len(body["features"]) == 6

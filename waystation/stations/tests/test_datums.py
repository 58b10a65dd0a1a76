"""Coordinates: stored WGS-84, accepted in GCJ-02 and BD-09, converted for navigation links."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError

from waystation.geo.distance import haversine_m
from waystation.stations.selectors import navigation_links
from waystation.stations.services import clean_location

# Reference values from wandergis/coordtransform (the well-known implementation).
WGS = (119.974, 31.811)
GCJ = (119.9787500253471, 31.808959004966873)
BD = (119.98521655849929, 31.815120518169074)


def metres(a, b):
    return haversine_m(a[0], a[1], b[0], b[1])


def test_gcj02_input_is_stored_as_the_wgs84_point_within_a_metre():
    assert metres(clean_location(*GCJ, "gcj02"), WGS) < 1


def test_bd09_input_is_stored_as_the_wgs84_point_within_a_metre():
    assert metres(clean_location(*BD, "bd09"), WGS) < 1


def test_navigation_links_plan_a_route_to_the_gcj02_point_in_every_app():
    links = {n.app: n for n in navigation_links(*WGS, "驿站")}
    assert list(links) == ["amap", "baidu", "tencent"]
    amap = urlparse(links["amap"].url)
    assert (amap.netloc, amap.path) == ("uri.amap.com", "/navigation")  # not the marker page
    q = parse_qs(amap.query)
    lon, lat, name = q["to"][0].split(",")
    assert metres((float(lon), float(lat)), GCJ) < 1 and name == "驿站"
    assert q["coordinate"] == ["gaode"] and q["mode"] == ["ride"] and "from" not in q
    tencent = urlparse(links["tencent"].url)
    assert tencent.path == "/uri/v1/routeplan"
    q = parse_qs(tencent.query)
    lat, lon = (float(v) for v in q["tocoord"][0].split(","))
    assert metres((lon, lat), GCJ) < 1
    assert q["to"] == ["驿站"] and q["referer"] == ["waystation"] and "fromcoord" not in q


def test_baidu_is_told_the_points_are_gcj02_and_starts_from_the_person_when_known():
    without = urlparse(navigation_links(*WGS, "驿站")[1].url)
    assert without.scheme == "baidumap" and without.path == "/direction"
    q = parse_qs(without.query)
    assert q["coord_type"] == ["gcj02"] and "origin" not in q
    lat, lon = (float(v) for v in q["destination"][0].split("|")[0][len("latlng:") :].split(","))
    assert metres((lon, lat), GCJ) < 1

    here = (119.95, 31.80)
    web = urlparse(navigation_links(*WGS, "驿站", origin=here)[1].url)
    assert (web.scheme, web.netloc, web.path) == ("https", "api.map.baidu.com", "/direction")
    q = parse_qs(web.query)
    assert q["coord_type"] == ["gcj02"] and q["output"] == ["html"]
    lat, lon = (float(v) for v in q["origin"][0].split("|")[0][len("latlng:") :].split(","))
    from waystation.geo.datums import from_wgs84

    assert metres((lon, lat), from_wgs84(*here, "gcj02")) < 1


def test_round_trip_through_gcj02_and_bd09_stays_under_half_a_metre():
    from waystation.geo.datums import from_wgs84

    for datum in ("gcj02", "bd09"):
        there = from_wgs84(*WGS, datum)
        assert metres(clean_location(*there, datum), WGS) < 0.5


@pytest.mark.parametrize(
    ("lon", "lat", "datum", "field"),
    [
        ("nan", "31.8", "wgs84", "lon"),
        ("119.9", "inf", "wgs84", "lat"),
        ("181", "31.8", "wgs84", "lon"),
        ("119.9", "-91", "wgs84", "lat"),
        ("abc", "31.8", "wgs84", "lon"),
        ("2.35", "48.85", "gcj02", "lon"),  # Paris is outside China: GCJ-02 undefined
        ("119.9", "31.8", "mars", "datum"),
    ],
)
def test_bad_coordinates_are_refused_with_the_field_named(lon, lat, datum, field):
    with pytest.raises(ValidationError) as err:
        clean_location(lon, lat, datum)
    assert field in err.value.message_dict

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


def test_navigation_links_carry_gcj02_for_amap_and_bd09_for_baidu():
    links = navigation_links(*WGS, "驿站")
    amap = parse_qs(urlparse(links["amap"]).query)
    lon, lat = (float(v) for v in amap["position"][0].split(","))
    assert metres((lon, lat), GCJ) < 1
    baidu = parse_qs(urlparse(links["baidu"]).query)
    lat, lon = (float(v) for v in baidu["location"][0].split(","))
    assert metres((lon, lat), BD) < 1
    assert baidu["coord_type"] == ["bd09ll"]


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

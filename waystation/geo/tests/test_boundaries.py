import json

import numpy as np
import pytest

from waystation.geo import boundaries
from waystation.geo.datums import DatumError, gcj02_to_wgs84
from waystation.geo.distance import haversine_m


def test_six_county_level_units_are_loaded():
    names = [d.name for d in boundaries.districts()]
    assert names == ["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市"]
    assert boundaries.districts()[0].adcode == "320402"


def test_known_places_fall_in_their_districts():
    lon = np.array([119.484, 119.597, 119.972, 119.958, 119.93, 119.985, 121.47])
    lat = np.array([31.416, 31.723, 31.815, 31.713, 31.78, 31.79, 31.23])
    names = boundaries.district_of(lon, lat)
    assert list(names) == ["溧阳市", "金坛区", "新北区", "武进区", "钟楼区", "天宁区", None]


def test_district_of_a_single_point_returns_a_name():
    assert boundaries.district_of(119.484, 31.416) == "溧阳市"
    assert boundaries.district_of(121.47, 31.23) is None


def test_boundaries_are_converted_from_gcj02_to_wgs84():
    with boundaries.DATA_FILE.open(encoding="utf-8") as fh:
        raw = json.load(fh)["features"][1]["geometry"]["coordinates"][0][0][0]
    loaded = boundaries.districts()[0].polygons[0][0][0]
    assert 400 < haversine_m(raw[0], raw[1], loaded[0], loaded[1]) < 700
    assert np.allclose(gcj02_to_wgs84(raw[0], raw[1]), loaded, atol=1e-9)


def test_districts_geojson_in_gcj02_gives_back_the_file_coordinates():
    with boundaries.DATA_FILE.open(encoding="utf-8") as fh:
        raw = json.load(fh)["features"][1]["geometry"]["coordinates"][0][0][0]
    out = boundaries.districts_geojson("gcj02")["features"][0]["geometry"]["coordinates"][0][0][0]
    assert out == pytest.approx(raw, abs=2e-7)


def test_city_bbox_encloses_changzhou():
    x0, y0, x1, y1 = boundaries.city_bbox()
    assert 119.0 < x0 < 119.2 and 120.1 < x1 < 120.3
    assert 31.1 < y0 < 31.2 and 32.0 < y1 < 32.1


def test_random_points_lie_inside_the_district_and_are_reproducible():
    lon, lat = boundaries.random_points_in("钟楼区", 200, np.random.default_rng(3))
    again = boundaries.random_points_in("钟楼区", 200, np.random.default_rng(3))
    assert lon.shape == (200,)
    assert set(boundaries.district_of(lon, lat)) == {"钟楼区"}
    assert np.array_equal(lon, again[0])


def test_random_points_in_the_city_cover_every_district():
    lon, lat = boundaries.random_points_in("city", 3000, np.random.default_rng(0))
    assert set(boundaries.district_of(lon, lat)) == {d.name for d in boundaries.districts()}


def test_economic_development_zone_has_no_polygon_and_says_where_it_is():
    with pytest.raises(DatumError, match="武进区"):
        boundaries.unit("经开区")


def test_districts_geojson_is_a_feature_collection_with_names():
    gj = boundaries.districts_geojson()
    assert gj["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in gj["features"]][-1] == "溧阳市"
    assert gj["features"][0]["geometry"]["type"] == "MultiPolygon"

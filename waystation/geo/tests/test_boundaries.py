import json

import numpy as np
import pytest

from waystation.geo.boundaries import Boundaries, BoundaryError, Feature
from waystation.geo.datums import gcj02_to_wgs84
from waystation.geo.distance import haversine_m

from . import CHANGZHOU_FILE


def _changzhou() -> Boundaries:
    """The bundled file (常州市 and its six county-level units), keyed by Chinese name."""
    with CHANGZHOU_FILE.open(encoding="utf-8") as fh:
        features = [
            Feature(
                str(f["properties"]["name"]), str(f["properties"]["adcode"]),
                str(f["properties"]["name"]), str(f["properties"].get("level", "")), f["geometry"],
            )
            for f in json.load(fh)["features"]
        ]  # fmt: skip
    return Boundaries(features[1:], features[0])


CZ = _changzhou()


def test_six_county_level_units_are_loaded():
    names = [d.name for d in CZ.units]
    assert names == ["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市"]
    assert CZ.units[0].adcode == "320402"


def test_known_places_fall_in_their_districts():
    lon = np.array([119.484, 119.597, 119.972, 119.958, 119.93, 119.985, 121.47])
    lat = np.array([31.416, 31.723, 31.815, 31.713, 31.78, 31.79, 31.23])
    names = CZ.unit_of(lon, lat)
    assert list(names) == ["溧阳市", "金坛区", "新北区", "武进区", "钟楼区", "天宁区", None]


def test_district_of_a_single_point_returns_a_name():
    assert CZ.unit_of(119.484, 31.416) == "溧阳市"
    assert CZ.unit_of(121.47, 31.23) is None


def test_boundaries_are_converted_from_gcj02_to_wgs84():
    with CHANGZHOU_FILE.open(encoding="utf-8") as fh:
        raw = json.load(fh)["features"][1]["geometry"]["coordinates"][0][0][0]
    loaded = CZ.units[0].polygons[0][0][0]
    assert 400 < haversine_m(raw[0], raw[1], loaded[0], loaded[1]) < 700
    assert np.allclose(gcj02_to_wgs84(raw[0], raw[1]), loaded, atol=1e-9)


def test_districts_geojson_in_gcj02_gives_back_the_file_coordinates():
    with CHANGZHOU_FILE.open(encoding="utf-8") as fh:
        raw = json.load(fh)["features"][1]["geometry"]["coordinates"][0][0][0]
    out = CZ.geojson("gcj02")["features"][0]["geometry"]["coordinates"][0][0][0]
    assert out == pytest.approx(raw, abs=2e-7)


def test_city_bbox_encloses_changzhou():
    x0, y0, x1, y1 = CZ.bbox
    assert 119.0 < x0 < 119.2 and 120.1 < x1 < 120.3
    assert 31.1 < y0 < 31.2 and 32.0 < y1 < 32.1


def test_random_points_lie_inside_the_district_and_are_reproducible():
    lon, lat = CZ.random_points_in("钟楼区", 200, np.random.default_rng(3))
    again = CZ.random_points_in("钟楼区", 200, np.random.default_rng(3))
    assert lon.shape == (200,)
    assert set(CZ.unit_of(lon, lat)) == {"钟楼区"}
    assert np.array_equal(lon, again[0])


def test_random_points_in_the_city_cover_every_district():
    lon, lat = CZ.random_points(3000, np.random.default_rng(0))
    assert set(CZ.unit_of(lon, lat)) == {d.name for d in list(CZ.units)}


def test_economic_development_zone_has_no_polygon_of_its_own():
    # 经开区 is a District row inside 武进区 (stations/locate.py), not a unit here
    with pytest.raises(BoundaryError, match="经开区"):
        CZ.unit("经开区")


def test_districts_geojson_is_a_feature_collection_with_names():
    gj = CZ.geojson()
    assert gj["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in gj["features"]][-1] == "溧阳市"
    assert gj["features"][0]["geometry"]["type"] == "MultiPolygon"

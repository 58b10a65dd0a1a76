from functools import cache

import numpy as np
import pytest

from waystation.geo import boundaries, cnmaps
from waystation.geo.boundaries import Boundaries, BoundaryError, Feature
from waystation.geo.datums import wgs84_to_gcj02

# WGS-84 points of well-known places
CHONGANSI = (120.302, 31.578)  # 崇安寺, 无锡 梁溪区
JIANGYIN = (120.285, 31.92)
YIXING = (119.82, 31.34)
GULOU_NANJING = (118.769, 32.066)  # 南京 鼓楼区 320106
GULOU_XUZHOU = (117.19, 34.29)  # 徐州 鼓楼区 320302, same name
SHANGHAI = (121.47, 31.23)


@cache
def wuxi() -> Boundaries:
    return Boundaries.from_city(cnmaps.city("320200"))


@cache
def jiangsu() -> Boundaries:
    return Boundaries.from_cities(cnmaps.city(a) for a, _ in cnmaps.province("320000").cities)


def _square(lon, lat, half, hole=0.0):
    """A GCJ-02 Polygon: a square around a WGS-84 point, with an optional square hole."""

    def ring(h):
        xs = [lon - h, lon + h, lon + h, lon - h, lon - h]
        ys = [lat - h, lat - h, lat + h, lat + h, lat - h]
        gx, gy = wgs84_to_gcj02(np.array(xs), np.array(ys))
        return np.column_stack([gx, gy]).tolist()

    return {"type": "Polygon", "coordinates": [ring(half)] + ([ring(hole)] if hole else [])}


def test_wuxi_places_fall_in_their_units_keyed_by_adcode():
    lon, lat = np.array([CHONGANSI, JIANGYIN, YIXING, SHANGHAI]).T
    assert list(wuxi().unit_of(lon, lat)) == ["320213", "320281", "320282", None]
    assert wuxi().unit_of(*CHONGANSI) == "320213"
    assert wuxi().unit_of(*SHANGHAI) is None


def test_units_carry_the_callers_keys():
    b = Boundaries.from_city(cnmaps.city("320200"), keys={"320213": "liangxi"})
    assert b.unit_of(*CHONGANSI) == "liangxi"
    assert b.unit("liangxi").name == "梁溪区"
    assert b.unit_of(*JIANGYIN) == "320281"


def test_units_keep_the_given_order_and_the_city_is_the_outline():
    assert [u.name for u in wuxi().units] == [
        "锡山区",
        "惠山区",
        "滨湖区",
        "梁溪区",
        "新吴区",
        "江阴市",
        "宜兴市",
    ]
    assert wuxi().outline is not None and wuxi().outline.name == "无锡市"
    assert len(wuxi()) == 7


def test_many_cities_tell_apart_units_of_the_same_name():
    b = jiangsu()
    assert len(b) == 95 and b.outline is None
    assert b.unit_of(*GULOU_NANJING) == "320106"
    assert b.unit_of(*GULOU_XUZHOU) == "320302"
    assert b.unit("320106").name == b.unit("320302").name == "鼓楼区"


def test_unit_of_over_the_grid_agrees_with_testing_every_unit():
    b = jiangsu()
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = b.bbox
    lon, lat = rng.uniform(x0, x1, 30_000), rng.uniform(y0, y1, 30_000)
    expected = np.full(lon.size, None, dtype=object)
    for u in reversed(b.units):  # the first unit in order wins a point on a shared border
        expected[u.contains(lon, lat)] = u.key
    got = b.unit_of(lon, lat)
    assert (got == expected).all()
    assert 0.3 < np.mean(got != None) < 0.8  # noqa: E711 - elementwise on an object array
    # a few points at a time take the direct path, not the grid: same answers
    assert (
        np.concatenate([b.unit_of(lon[i : i + 50], lat[i : i + 50]) for i in range(0, 3000, 50)])
        == expected[:3000]
    ).all()


def test_even_odd_sweep_gives_the_same_answer_in_small_chunks(monkeypatch):
    rng = np.random.default_rng(2)
    x0, y0, x1, y1 = wuxi().bbox
    lon, lat = rng.uniform(x0, x1, 5000), rng.uniform(y0, y1, 5000)
    whole = wuxi().unit_of(lon, lat)
    monkeypatch.setattr(boundaries, "_PAIRS_PER_CHUNK", 7)
    assert (wuxi().unit_of(lon, lat) == whole).all()


def test_contains_is_any_unit():
    assert wuxi().contains(*YIXING) is True
    assert wuxi().contains(*SHANGHAI) is False
    lon, lat = np.array([YIXING, SHANGHAI]).T
    assert wuxi().contains(lon, lat).tolist() == [True, False]


def test_a_hole_is_outside():
    b = Boundaries([Feature("ring", "000001", "环", "district", _square(120.0, 31.0, 0.1, 0.05))])
    assert b.unit_of(120.0, 31.0) is None  # in the hole
    assert b.unit_of(120.07, 31.0) == "ring"
    assert b.unit_of(120.2, 31.0) is None


def test_a_polygon_given_unclosed_or_as_a_feature_is_accepted():
    square = _square(120.0, 31.0, 0.1)
    open_ring = {"type": "Polygon", "coordinates": [square["coordinates"][0][:-1]]}
    b = Boundaries(
        [
            Feature("a", "000001", "甲", "district", open_ring),
            Feature(
                "b",
                "000002",
                "乙",
                "district",
                {"type": "Feature", "geometry": _square(121.0, 31.0, 0.1)},
            ),
        ]
    )
    assert b.unit_of(120.0, 31.0) == "a" and b.unit_of(121.0, 31.0) == "b"


def test_bbox_is_the_outlines_or_else_the_units():
    x0, y0, x1, y1 = wuxi().bbox
    assert 119.3 < x0 < 119.6 and 120.5 < x1 < 120.7
    assert 31.0 < y0 < 31.2 and 31.9 < y1 < 32.1
    assert wuxi().bbox == wuxi().outline.bbox
    jx0, jy0, jx1, jy1 = jiangsu().bbox
    assert jx0 < 117.0 and jx1 > 121.5 and jy0 < 31.0 and jy1 > 34.9


def test_random_points_in_a_unit_are_inside_it_and_reproducible():
    lon, lat = wuxi().random_points_in("320213", 300, np.random.default_rng(1))
    again = wuxi().random_points_in("320213", 300, np.random.default_rng(1))
    assert lon.shape == (300,) and np.array_equal(lat, again[1])
    assert set(wuxi().unit_of(lon, lat)) == {"320213"}


def test_random_points_over_many_cities_without_an_outline_lie_in_the_units():
    lon, lat = jiangsu().random_points(2000, np.random.default_rng(4))
    assert lon.shape == (2000,)
    assert jiangsu().contains(lon, lat).all()
    assert len(set(jiangsu().unit_of(lon, lat))) > 60  # spread over the province


def test_geojson_has_key_adcode_name_level_and_gives_back_gcj02():
    b = Boundaries.from_city(cnmaps.city("320200"), keys={"320213": "liangxi"})
    gj = b.geojson("gcj02")
    assert gj["type"] == "FeatureCollection" and gj["datum"] == "gcj02"
    assert gj["features"][3]["properties"] == {
        "key": "liangxi",
        "adcode": "320213",
        "name": "梁溪区",
        "level": "district",
    }
    raw = cnmaps.city("320200").counties[3].geometry["coordinates"][0][0][0]
    assert gj["features"][3]["geometry"]["coordinates"][0][0][0] == pytest.approx(raw, abs=2e-7)
    with_outline = b.geojson(include_outline=True)
    assert [f["properties"]["level"] for f in with_outline["features"]][:2] == ["city", "district"]


def test_unknown_key_is_refused():
    with pytest.raises(BoundaryError, match="未知行政区 “tianning”"):
        wuxi().random_points_in("tianning", 10, np.random.default_rng(0))


def test_duplicate_keys_are_refused():
    sq = _square(120.0, 31.0, 0.1)
    with pytest.raises(BoundaryError, match="行政区标识重复：a"):
        Boundaries(
            [Feature("a", "1", "甲", "district", sq), Feature("a", "2", "乙", "district", sq)]
        )


def test_no_units_are_refused():
    with pytest.raises(BoundaryError, match="至少需要一个行政区"):
        Boundaries([])


@pytest.mark.parametrize(
    ("geometry", "needle"),
    [
        ({"type": "Point", "coordinates": [120.0, 31.0]}, "Polygon 或 MultiPolygon"),
        (None, "Polygon 或 MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "边界为空"),
        ({"type": "Polygon", "coordinates": [[[120, 31], [121, 31]]]}, "至少需要 3 个"),
        ({"type": "Polygon", "coordinates": [[["x", 31], [121, 31], [121, 32]]]}, "不是数字"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}, "境外"),
    ],
)
def test_malformed_boundaries_are_refused_naming_the_unit(geometry, needle):
    with pytest.raises(BoundaryError, match=needle) as exc:
        Boundaries([Feature("a", "000001", "甲区", "district", geometry)])
    assert "甲区" in str(exc.value)

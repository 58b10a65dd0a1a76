import numpy as np

from waystation.geo.boundaries import district_of
from waystation.geo.datums import wgs84_to_gcj02
from waystation.planning.demand import (
    candidates_from_hotspots,
    load_lade,
    synthetic_riders,
    synthetic_stations,
)


def test_synthetic_riders_are_reproducible_and_labelled():
    a = synthetic_riders(500, seed=9)
    b = synthetic_riders(500, seed=9)
    assert np.array_equal(a.lon, b.lon)
    assert a.source == "synthetic"
    assert "synthetic" in a.meta["note"]
    assert a.ids[0] == "syn-0000000"


def test_synthetic_riders_lie_inside_changzhou():
    layer = synthetic_riders(2000, seed=1)
    assert all(d is not None for d in district_of(layer.lon, layer.lat))


def test_synthetic_riders_cluster_in_the_old_town():
    layer = synthetic_riders(4000, seed=2)
    names = list(district_of(layer.lon, layer.lat))
    # 天宁+钟楼 are ~6 % of the city's area but hold far more of the riders.
    assert (names.count("天宁区") + names.count("钟楼区")) / len(names) > 0.25


def test_synthetic_stations_have_station_ids():
    st = synthetic_stations(312)
    assert len(st) == 312 and st.ids[-1] == "st-312"


def test_lade_hangzhou_is_read_and_converted_from_gcj02():
    layer = load_lade("hangzhou")
    assert len(layer) == 1156
    assert layer.ids[0] == "4821650"
    glon, glat = wgs84_to_gcj02(layer.lon[0], layer.lat[0])
    assert abs(glon - 120.0035) < 1e-7 and abs(glat - 30.32773) < 1e-7


def test_candidates_from_hotspots_sit_on_the_heaviest_cells():
    layer = synthetic_riders(300, seed=4)
    cand = candidates_from_hotspots(layer, 5)
    assert len(cand) == 5
    assert str(cand.ids[0]).startswith("hex-")

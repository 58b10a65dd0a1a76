import math

import numpy as np
import pytest

from waystation.geo import datums
from waystation.geo.datums import DatumError
from waystation.geo.distance import haversine_m

# Reference values computed with wandergis/coordtransform 0.2.1 (PyPI "coordTransform").
WGS = (119.974, 31.811)  # 常州 新北区
GCJ = (119.9787500253471, 31.808959004966873)
BD = (119.98521655849929, 31.815120518169074)
WGS_BEIJING = (116.397, 39.908)
GCJ_BEIJING = (116.40324337854781, 39.90940335390724)


def _metres(a, b):
    return haversine_m(a[0], a[1], b[0], b[1])


def test_wgs84_to_gcj02_matches_coordtransform_to_a_millimetre():
    assert _metres(datums.wgs84_to_gcj02(*WGS), GCJ) < 0.001
    assert _metres(datums.wgs84_to_gcj02(*WGS_BEIJING), GCJ_BEIJING) < 0.001


def test_wgs84_to_bd09_matches_coordtransform_to_a_millimetre():
    assert _metres(datums.wgs84_to_bd09(*WGS), BD) < 0.001


def test_gcj02_to_wgs84_is_the_exact_inverse_to_under_a_centimetre():
    assert _metres(datums.gcj02_to_wgs84(*GCJ), WGS) < 0.01
    assert _metres(datums.gcj02_to_wgs84(*GCJ_BEIJING), WGS_BEIJING) < 0.01


def test_bd09_to_wgs84_and_to_gcj02_are_exact_inverses():
    assert _metres(datums.bd09_to_wgs84(*BD), WGS) < 0.01
    assert _metres(datums.bd09_to_gcj02(*BD), GCJ) < 0.01
    assert _metres(datums.gcj02_to_bd09(*GCJ), BD) < 0.001


def test_gcj02_shift_near_changzhou_is_about_half_a_kilometre():
    assert 400 < _metres(WGS, GCJ) < 700


def test_arrays_convert_like_scalars_elementwise():
    lon = np.array([WGS[0], WGS_BEIJING[0]])
    lat = np.array([WGS[1], WGS_BEIJING[1]])
    glon, glat = datums.wgs84_to_gcj02(lon, lat)
    assert glon.shape == (2,)
    assert glon[1] == pytest.approx(GCJ_BEIJING[0], abs=1e-9)
    assert glat[0] == pytest.approx(GCJ[1], abs=1e-9)
    wlon, wlat = datums.to_wgs84(glon, glat, "gcj02")
    assert np.max(haversine_m(wlon, wlat, lon, lat)) < 0.01


def test_scalars_come_back_as_floats():
    lon, lat = datums.to_wgs84(GCJ[0], GCJ[1], "gcj02")
    assert isinstance(lon, float) and isinstance(lat, float)


def test_to_and_from_wgs84_round_trip_for_every_datum():
    for datum in datums.DATUMS:
        lon, lat = datums.from_wgs84(*WGS, datum)
        back = datums.to_wgs84(lon, lat, datum)
        assert _metres(back, WGS) < 0.01, datum


def test_datum_names_accept_case_and_hyphens():
    assert _metres(datums.to_wgs84(*GCJ, "GCJ-02"), WGS) < 0.01


def test_wgs84_outside_china_is_left_unchanged_by_gcj02():
    tokyo = (139.69, 35.69)
    assert datums.out_of_china(*tokyo) is True
    assert datums.wgs84_to_gcj02(*tokyo) == tokyo


def test_gcj02_input_outside_china_is_rejected():
    with pytest.raises(DatumError, match="境外"):
        datums.gcj02_to_wgs84(139.69, 35.69)


def test_unknown_datum_is_rejected_with_a_chinese_first_message():
    with pytest.raises(DatumError) as err:
        datums.to_wgs84(*WGS, "cgcs2000")
    assert str(err.value).startswith("未知坐标系")
    assert "cgcs2000" in str(err.value)


def test_nan_and_infinity_are_rejected():
    with pytest.raises(DatumError, match="空值"):
        datums.wgs84_to_gcj02(math.nan, 31.8)
    with pytest.raises(DatumError):
        datums.to_wgs84(np.array([119.9, math.inf]), np.array([31.8, 31.8]), "wgs84")


def test_latitude_beyond_ninety_is_rejected():
    with pytest.raises(DatumError, match="超出范围"):
        datums.to_wgs84(119.9, 91.0, "wgs84")


def test_swapped_lat_lon_is_caught_as_out_of_range():
    with pytest.raises(DatumError):
        datums.wgs84_to_gcj02(31.811, 119.974)

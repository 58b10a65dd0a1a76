import numpy as np
import pytest
from scipy.spatial import cKDTree

from waystation.geo.distance import (
    chord_to_metres,
    haversine_m,
    local_xy_m,
    metres_to_chord,
    unit_vectors,
)


def test_one_degree_of_latitude_is_111195_metres():
    assert haversine_m(120.0, 31.0, 120.0, 32.0) == pytest.approx(111_195.08, abs=0.01)


def test_one_degree_of_longitude_at_the_equator_is_the_same():
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(111_195.08, abs=0.01)


def test_haversine_broadcasts_over_arrays():
    d = haversine_m(np.array([120.0, 120.0]), np.array([31.0, 31.0]), 120.0, np.array([31.0, 32.0]))
    assert d.shape == (2,)
    assert d[0] == 0.0


def test_chord_and_metres_convert_back_and_forth():
    assert chord_to_metres(metres_to_chord(2884.6)) == pytest.approx(2884.6, abs=1e-6)
    assert np.isinf(chord_to_metres(np.inf))


def test_kdtree_on_unit_vectors_finds_the_great_circle_nearest():
    rng = np.random.default_rng(7)
    lon = rng.uniform(119.2, 120.2, 300)
    lat = rng.uniform(31.2, 32.0, 300)
    qlon = rng.uniform(119.2, 120.2, 50)
    qlat = rng.uniform(31.2, 32.0, 50)
    dist, idx = cKDTree(unit_vectors(lon, lat)).query(unit_vectors(qlon, qlat))
    brute = haversine_m(qlon[:, None], qlat[:, None], lon[None, :], lat[None, :])
    assert np.array_equal(idx, brute.argmin(axis=1))
    assert np.allclose(chord_to_metres(dist), brute.min(axis=1), atol=1e-3)


def test_local_projection_is_within_a_metre_over_ten_kilometres():
    xy = local_xy_m([119.95, 120.05], [31.78, 31.80], 120.0, 31.79)
    planar = float(np.hypot(*(xy[1] - xy[0])))
    assert abs(planar - haversine_m(119.95, 31.78, 120.05, 31.80)) < 1.0

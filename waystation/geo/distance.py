"""Great-circle distances and a projection that makes KD-tree queries exact.

On the unit sphere the straight-line (chord) distance between two points is
``2 sin(d / 2R)`` for great-circle distance ``d``: monotone in ``d`` up to half the globe, so a
KD-tree on 3D unit vectors answers "within d metres" and "nearest" by great-circle distance
exactly, with no planar distortion.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle distance in metres; floats or numpy arrays (broadcast together)."""
    lam1, phi1, lam2, phi2 = (
        np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((phi2 - phi1) / 2.0) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2.0) ** 2
    )
    d = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


def unit_vectors(lon: Any, lat: Any) -> NDArray[np.float64]:
    """Points as 3D unit vectors, shape (n, 3), for scipy KD-trees."""
    lam = np.radians(np.asarray(lon, dtype=np.float64).ravel())
    phi = np.radians(np.asarray(lat, dtype=np.float64).ravel())
    cos_phi = np.cos(phi)
    out = np.empty((lam.size, 3), dtype=np.float64)
    out[:, 0] = cos_phi * np.cos(lam)
    out[:, 1] = cos_phi * np.sin(lam)
    out[:, 2] = np.sin(phi)
    return out


def metres_to_chord(metres: Any) -> Any:
    """Great-circle distance (m) → chord length on the unit sphere (KD-tree radius)."""
    return 2.0 * np.sin(np.asarray(metres, dtype=np.float64) / (2.0 * EARTH_RADIUS_M))


def chord_to_metres(chord: Any) -> Any:
    """Chord length on the unit sphere → great-circle distance (m); inf stays inf."""
    c = np.asarray(chord, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        d = 2.0 * EARTH_RADIUS_M * np.arcsin(np.clip(c / 2.0, 0.0, 1.0))
    return np.where(np.isinf(c), np.inf, d)


def chord_to_metres_1(chord: float) -> float:
    """:func:`chord_to_metres` of one finite chord, without numpy's cost per call."""
    return 2.0 * EARTH_RADIUS_M * math.asin(min(max(chord / 2.0, 0.0), 1.0))


def local_xy_m(lon: Any, lat: Any, lon0: float, lat0: float) -> NDArray[np.float64]:
    """Equirectangular projection in metres around (lon0, lat0), shape (n, 2).

    Good to ~0.1 % within a city; use :func:`unit_vectors` where exactness matters.
    """
    lam = np.radians(np.asarray(lon, dtype=np.float64).ravel() - lon0)
    phi = np.radians(np.asarray(lat, dtype=np.float64).ravel() - lat0)
    out = np.empty((lam.size, 2), dtype=np.float64)
    out[:, 0] = EARTH_RADIUS_M * lam * np.cos(np.radians(lat0))
    out[:, 1] = EARTH_RADIUS_M * phi
    return out

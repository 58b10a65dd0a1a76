"""Shared geography for waystation: datums (WGS-84, GCJ-02, BD-09), distances, boundaries.

Pure Python + numpy; no Django imports, so planning code and notebooks can use it too.
"""

from waystation.geo.datums import (
    DATUMS,
    DatumError,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from waystation.geo.distance import EARTH_RADIUS_M, haversine_m, unit_vectors

__all__ = [
    "DATUMS",
    "EARTH_RADIUS_M",
    "DatumError",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_m",
    "out_of_china",
    "to_wgs84",
    "unit_vectors",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

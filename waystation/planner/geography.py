"""The geography of an analysis: its city's districts (rows), their map and points inside them.

The two calls into `waystation.geo` live here, so that moving to one city's `Boundaries` (built
from the District rows' boundaries) changes this module only."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

from waystation.accounts.models import City, District
from waystation.geo import boundaries
from waystation.geo.datums import gcj02_to_wgs84


def districts_of(city: City | int) -> list[District]:
    """The city's districts, in their order (a zone without a polygon lies in `adcode`)."""
    return list(District.objects.filter(city=city))


def districts_by_city(cities: list[City]) -> dict[int, list[District]]:
    """The districts of several cities, by city id, in one query (without their polygons)."""
    out: dict[int, list[District]] = {}
    for d in District.objects.filter(city__in=cities).defer("boundary"):
        out.setdefault(d.city_id, []).append(d)
    return out


def random_points_in(
    district: District, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """`n` uniformly random WGS-84 points in the county-level unit that holds the district."""
    return boundaries.random_points_in(district.adcode, n, rng)


def _ring_wgs84(ring: list[list[float]]) -> list[list[float]]:
    arr = np.asarray(ring, dtype=np.float64)
    lon, lat = gcj02_to_wgs84(arr[:, 0], arr[:, 1])
    return np.round(np.column_stack([lon, lat]), 7).tolist()


def _geometry_wgs84(geometry: dict[str, Any]) -> dict[str, Any]:
    parts = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        parts = [parts]
    return {
        "type": "MultiPolygon",
        "coordinates": [[_ring_wgs84(ring) for ring in part] for part in parts],
    }


def districts_geojson(city: City | int) -> dict[str, Any]:
    """The city's districts that have a polygon of their own, as a WGS-84 FeatureCollection for
    the map (the rows hold GCJ-02, as the boundary dataset does)."""
    return {
        "type": "FeatureCollection",
        "datum": "wgs84",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": d.code, "adcode": d.adcode, "name": d.name},
                "geometry": _geometry_wgs84(d.boundary),
            }
            for d in districts_of(city)
            if d.boundary
        ],
    }

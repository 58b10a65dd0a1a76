"""The geography of an analysis: its city's districts (rows), their map and points inside them.

The city's `Boundaries` come from accounts.geography (built from the District rows, keyed by
District code, cached per process)."""

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Case, Value, When
from numpy.typing import NDArray

from waystation.accounts import geography
from waystation.accounts.models import City, District
from waystation.geo.boundaries import Boundaries
from waystation.planning import PlanningError


def districts_of(city: City | int) -> list[District]:
    """The city's districts, in their order (a zone without a polygon lies in `adcode`)."""
    return list(District.objects.filter(city=city))


def districts_by_city(cities: list[City]) -> dict[int, list[District]]:
    """The districts of several cities, by city id, in one query (without their polygons)."""
    out: dict[int, list[District]] = {}
    for d in District.objects.filter(city__in=cities).defer("boundary"):
        out.setdefault(d.city_id, []).append(d)
    return out


@dataclass(frozen=True)
class DistrictRow:
    """A district as the planning pages list it: every row of the city, in its order, with the
    key its demand is counted under (its own code, or for a zone without a polygon of its own,
    such as 经开区, the code of the district whose polygon holds it)."""

    code: str
    name: str
    has_polygon: bool
    counted_in: str  # the unit key of the Boundaries its demand falls in ("" if none)
    counted_in_name: str


def district_rows(city: City | int) -> list[DistrictRow]:
    """Every district of the city, in order, without loading a polygon (one query)."""
    shaped = Case(When(boundary__isnull=True, then=Value(False)), default=Value(True))
    rows = list(
        District.objects.filter(city=city)
        .annotate(shaped=shaped)
        .values_list("code", "name", "adcode", "shaped")
    )
    by_adcode = {adcode: (code, name) for code, name, adcode, has in rows if has}
    out = []
    for code, name, adcode, has in rows:
        key, key_name = (code, name) if has else by_adcode.get(adcode, ("", ""))
        out.append(DistrictRow(code, name, has, key, key_name))
    return out


def boundaries_of(city: City | int) -> Boundaries:
    """The city's districts as geometry, keyed by District code (accounts.geography)."""
    found = geography.boundaries([city])
    if found is None:
        raise PlanningError("该城市的区县没有边界数据 (the city's districts have no boundaries)")
    return found


def random_points_in(
    district: District, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """`n` uniformly random WGS-84 points in the district's polygon, or for a zone without one
    in the polygon of the district holding it (same adcode)."""
    bounds = boundaries_of(district.city_id)
    key = district.code
    if district.boundary is None:
        key = next(u.key for u in bounds.units if u.adcode == district.adcode)
    return bounds.random_points_in(key, n, rng)


def districts_geojson(city: City | int) -> dict[str, Any]:
    """The city's districts that have a polygon of their own, as a WGS-84 FeatureCollection for
    the map (the rows hold GCJ-02, as the boundary dataset does)."""
    found = geography.boundaries([city])
    if found is None:
        return {"type": "FeatureCollection", "datum": "wgs84", "features": []}
    return found.geojson("wgs84")

"""The cities' districts as geometry: `geo.Boundaries` built from the District rows.

A city's boundaries are built once per process (converting GCJ-02 to WGS-84 and indexing take
0.1–1 s for a city) and rebuilt when its districts change: the cache key is a fingerprint of the
rows (code, adcode, whether it has a polygon), read with one small query that never loads the
polygons. Units are keyed by District code, so `unit_of` answers the code a row carries; a zone
without a polygon of its own (经开区) is never the answer, the district it lies in is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, Value, When

from waystation.geo.boundaries import Boundaries, Feature

from .models import City, District

# (a JSONField's `boundary__isnull` in values() would read a key named "isnull")
_HAS_BOUNDARY = Case(When(boundary__isnull=True, then=Value(False)), default=Value(True))
_CACHE: dict[tuple[Any, ...], Boundaries | None] = {}


def _fingerprint(city_ids: tuple[int, ...]) -> tuple[Any, ...]:
    rows = District.objects.filter(city_id__in=city_ids).order_by("city_id", "order", "code")
    shaped = tuple(rows.annotate(shaped=_HAS_BOUNDARY).values_list("city_id", "code", "shaped"))
    cities = City.objects.filter(pk__in=city_ids).order_by("pk")
    outlines = tuple(cities.annotate(shaped=_HAS_BOUNDARY).values_list("pk", "shaped"))
    return (city_ids, shaped, outlines)


def boundaries(cities: Iterable[City | int] | None = None) -> Boundaries | None:
    """The districts with polygons of the given cities (all cities if None), with the city's
    outline when there is one city; None when none of them has a polygon."""
    if cities is None:
        ids = tuple(sorted(City.objects.values_list("pk", flat=True)))
    else:
        ids = tuple(sorted({c if isinstance(c, int) else c.pk for c in cities}))
    key = _fingerprint(ids)
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = _build(ids)
    return _CACHE[key]


def _build(ids: tuple[int, ...]) -> Boundaries | None:
    units = [
        Feature(d.code, d.adcode, d.name, "district", d.boundary)
        for d in District.objects.filter(city_id__in=ids, boundary__isnull=False).order_by(
            "city_id", "order", "code"
        )
        if d.boundary is not None
    ]
    if not units:
        return None
    outline = None
    if len(ids) == 1:
        city = City.objects.get(pk=ids[0])
        if city.boundary is not None:
            outline = Feature(city.adcode, city.adcode, city.name, "city", city.boundary)
    return Boundaries(units, outline)


def district_at(
    lon: float, lat: float, cities: Iterable[City | int] | None = None
) -> District | None:
    """The district (with a polygon) holding a WGS-84 point, among the given cities."""
    b = boundaries(cities)
    code = b.unit_of(lon, lat) if b is not None else None
    return District.objects.select_related("city").get(code=code) if code else None


def city_geojson(city: City | int, datum: str = "wgs84") -> dict[str, Any]:
    """A city's districts as a GeoJSON FeatureCollection for the map (empty without polygons)."""
    b = boundaries([city])
    if b is None:
        return {"type": "FeatureCollection", "datum": datum, "features": []}
    return b.geojson(datum)

"""Where a station is: the district of its city that a point lies in.

A city's districts are read once per check (`CityDistricts.of`, one query, never the boundaries
themselves, which are large geometries); an import of thousands of rows reads them once per
city. A district with a boundary of its own is found by location; a zone without one (a
development zone inside a county-level unit) may be chosen for points in the unit that holds it
(`District.adcode`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext as _

from waystation.accounts import geography
from waystation.accounts.models import City, District
from waystation.geo.boundaries import Boundaries


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    adcode: str  # the county-level unit holding it
    bounded: bool  # a boundary of its own (False: a zone inside the unit `adcode`)


@dataclass(frozen=True)
class CityDistricts:
    city: City
    by_code: dict[str, Place]
    bounds: Boundaries | None = field(default=None, repr=False)

    @classmethod
    def of(cls, city: City) -> CityDistricts:
        rows = (
            District.objects.filter(city=city)
            .annotate(
                bounded=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField())
            )
            .values_list("code", "name", "adcode", "bounded")
        )
        return cls(city, {row[0]: Place(*row) for row in rows}, geography.boundaries([city]))


def district_located(districts: CityDistricts, lon: float, lat: float) -> Place | None:
    """The district of the city whose own boundary holds a WGS-84 point, None outside them all
    (the city's Boundaries built from its District rows, keyed by code; see accounts.geography)."""
    bounds = districts.bounds
    code = bounds.unit_of(lon, lat) if bounds is not None else None
    return districts.by_code.get(code) if code else None


def district_at(*, districts: CityDistricts, lon: float, lat: float, wanted: str = "") -> str:
    """The code of the district a WGS-84 point lies in, or of `wanted` if the point lies there:
    in its boundary, or for a zone in the unit holding it. ValidationError naming the city (from
    its row) for a point outside it or a district of another city."""
    city = districts.city.name
    chosen = districts.by_code.get(wanted) if wanted else None
    if wanted and chosen is None:
        raise ValidationError(
            {"district": [_("所选区域不属于%(city)s (district of another city)") % {"city": city}]}
        )
    found = district_located(districts, lon, lat)
    if found is None:
        raise ValidationError(
            {"lon": [_("位置不在%(city)s范围内 (location is outside the city)") % {"city": city}]}
        )
    if chosen is None or chosen == found:
        return found.code
    if not chosen.bounded and chosen.adcode == found.adcode:
        return chosen.code
    raise ValidationError(
        {
            "district": [
                _("位置在%(district)s，与所选区域不符 (district mismatch)")
                % {"district": found.name}
            ]
        }
    )

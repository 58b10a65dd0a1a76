"""The demo city: Changzhou's federation, as the demo and the tests load it (demo data)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .cities import DATA, CitySeed, DistrictSeed, ProvinceSeed, city_add
from .models import OrgUnit

GEO_DATA = Path(__file__).resolve().parents[1] / "geo" / "data"
BOUNDARY_FILE = GEO_DATA / "changzhou_admin_gcj02.geojson"


@cache
def _geometries() -> dict[str, dict[str, Any]]:
    with BOUNDARY_FILE.open(encoding="utf-8") as fh:
        return {str(f["properties"]["adcode"]): f["geometry"] for f in json.load(fh)["features"]}


def changzhou_seed() -> CitySeed:
    with (DATA / "demo_changzhou.json").open(encoding="utf-8") as fh:
        cz = json.load(fh)
    geoms = _geometries()
    zones = cz["zones"]
    return CitySeed(
        adcode=cz["adcode"],
        name=cz["name"],
        province=ProvinceSeed(adcode="320000", name="江苏省"),
        boundary=geoms.get(cz["adcode"]),
        districts=tuple(
            DistrictSeed(
                code=code,
                name=name,
                adcode=adcode or zones[code],
                boundary=geoms.get(adcode) if adcode else None,
                union_name=union_name,
            )
            for code, name, adcode, union_name in cz["districts"]
        ),
        union_name=cz["union_name"],
        sms_signature=cz["sms_signature"],
        city_unit_code=cz["city_unit_code"],
        industry_unit_suffix=cz["industry_unit_suffix"],
    )


# No actor: setup of the demo organisation (the demo loaders, tests), idempotent.
def changzhou_ensure() -> dict[str, OrgUnit]:
    """Changzhou's federation, created if missing. Units by key: "city", the district codes and
    the industry codes."""
    return city_add(changzhou_seed())

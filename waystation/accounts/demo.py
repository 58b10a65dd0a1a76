"""The demo city: Changzhou's federation, as the demo and the tests load it (demo data)."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache

from .cities import DATA, CitySeed, DistrictSeed, city_add, seed_from_dataset
from .models import OrgUnit


@cache
def changzhou_seed() -> CitySeed:
    """The dataset's 常州市 with the codes Changzhou's rows carry and its development zone."""
    with (DATA / "demo_changzhou.json").open(encoding="utf-8") as fh:
        cz = json.load(fh)
    base = seed_from_dataset(cz["adcode"])
    districts = [replace(d, code=cz["codes"][d.adcode]) for d in base.districts]
    districts += [
        DistrictSeed(code=code, name=name, adcode=adcode, boundary=None, union_name=union)
        for code, name, adcode, union in cz["zones"]
    ]
    return replace(
        base,
        districts=tuple(districts),
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

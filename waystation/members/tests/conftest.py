"""Two cities' rows for the tenancy cases: a member, a campaign and a roster import of
Changzhou (天宁) and of 无锡 (梁溪区), beside the named people of both (root conftest.py)."""

import pytest

from waystation.members.models import Campaign, RosterImport

from .factories import make_member


class Rows(dict):
    def __getattr__(self, name):
        return self[name]


def _import(user, unit) -> RosterImport:
    return RosterImport.objects.create(
        created_by=user,
        unit=unit,
        filename="名册.xlsx",
        file_sha256="0" * 64,
        stored_name=f"{unit.code}.rows",
        valid_rows=1,
        pending_rows=1,
    )


@pytest.fixture
def two_cities(people, wuxi_people, orgs, wuxi):
    """`cz_*` are Changzhou's (天宁 district, express), `wx_*` 无锡's (梁溪区, express)."""
    return Rows(
        cz_member=make_member(name="常州人", district="tianning", industry="express"),
        wx_member=make_member(name="无锡人", district="320213", industry="express"),
        cz_campaign=Campaign.objects.create(
            code="cz-1", name="天宁驿站入会", unit=orgs["tianning"]
        ),
        wx_campaign=Campaign.objects.create(code="wx-1", name="梁溪驿站入会", unit=wuxi["320213"]),
        cz_import=_import(people.alice, orgs["tianning"]),
        wx_import=_import(wuxi_people.wes, wuxi["320213"]),
    )

"""The data migration of an existing deployment: every member, campaign and roster import is
kept with its codes, gets Changzhou as its city, and the way back and forth again loses
nothing."""

import pytest

from waystation.members.models import Campaign, Member, RosterImport

from .legacy import forget_the_organisation, legacy_units, migrate_back, migrate_to_latest

MEMBERS_BEFORE = [("members", "0006_campaign_is_default")]
BEFORE = [("accounts", "0001_initial"), *MEMBERS_BEFORE]
MEMBERS = [  # number, industry, work district, union
    ("CZ00000001", "express", "tianning", "express"),
    ("CZ00000002", "food_delivery", "jingkai", "food_delivery"),
    ("CZ00000003", "food_delivery", "tianning", "tianning"),
]


def _write_legacy_rows(apps) -> None:
    units = legacy_units(apps)
    user = apps.get_model("auth", "User").objects.create(username="carl")
    Campaign = apps.get_model("members", "Campaign")
    campaign = Campaign.objects.create(code="tn-1", name="天宁驿站入会", unit=units["tianning"])
    Campaign.objects.create(code="changzhou", name="扫码入会", unit=units["city"], is_default=True)
    Member = apps.get_model("members", "Member")
    for number, industry, district, union in MEMBERS:
        Member.objects.create(
            member_number=number,
            name="张三",
            id_number_enc="enc",
            id_number_hash=f"hash-{number}",
            id_number_masked="110***********002X",
            phone_enc="enc",
            phone_hash="phone",
            phone_masked="138****5678",
            gender="M",
            birth_date="1990-01-01",
            industry=industry,
            work_district=district,
            union=units[union],
            channel="scan",
            campaign=campaign,
        )
    apps.get_model("members", "RosterImport").objects.create(
        created_by=user,
        unit=units["tianning"],
        filename="r.xlsx",
        file_sha256="0" * 64,
        stored_name="x.rows",
    )


def _legacy_rows(apps) -> dict[str, list]:
    return {
        "members": sorted(
            apps.get_model("members", "Member").objects.values_list(
                "member_number", "industry", "work_district", "union__code"
            )
        ),
        "campaigns": sorted(
            apps.get_model("members", "Campaign").objects.values_list(
                "code", "unit__code", "is_default"
            )
        ),
        "imports": list(
            apps.get_model("members", "RosterImport").objects.values_list("unit__code", flat=True)
        ),
    }


def _check_migrated() -> None:
    assert sorted(
        Member.objects.values_list(
            "member_number", "industry_id", "work_district_id", "union__code", "city__adcode"
        )
    ) == [(*row, "320400") for row in MEMBERS]
    assert sorted(Campaign.objects.values_list("code", "city__adcode", "is_default")) == [
        ("changzhou", "320400", True),
        ("tn-1", "320400", False),
    ]
    assert list(RosterImport.objects.values_list("unit__code", "city__adcode")) == [
        ("tianning", "320400")
    ]
    m = Member.objects.select_related("work_district", "industry").get(member_number="CZ00000002")
    assert (m.work_district.name, m.industry.name) == ("经开区", "外卖送餐")


LEGACY = {
    "members": sorted(MEMBERS),
    "campaigns": [("changzhou", "city", True), ("tn-1", "tianning", False)],
    "imports": ["tianning"],
}


@pytest.mark.django_db(transaction=True)
def test_existing_members_campaigns_and_imports_become_changzhous_keeping_their_codes():
    forget_the_organisation()
    executor = migrate_back(MEMBERS_BEFORE)
    try:
        _write_legacy_rows(executor.loader.project_state(BEFORE).apps)
    finally:
        migrate_to_latest()
    _check_migrated()

    executor = migrate_back(MEMBERS_BEFORE)
    try:
        assert _legacy_rows(executor.loader.project_state(BEFORE).apps) == LEGACY
    finally:
        migrate_to_latest()
    _check_migrated()

"""Every member, campaign and roster import carries its city, whichever way it was written: the
services, a plain create (the city from the district or unit), the bulk commit of an import.
A roster's districts are those of the import unit's city."""

import pytest

from waystation.accounts.access import NotInScope
from waystation.jobs import runner
from waystation.members import roster, services
from waystation.members.demo import roster_sample, roster_xlsx
from waystation.members.models import Campaign, Member, RosterImport

from .factories import make_member


def _import(user, unit, rows) -> RosterImport:
    imp = roster.roster_upload(user=user, unit=unit, filename="r.xlsx", data=roster_xlsx(rows))
    runner.run_until_empty()  # the validation job
    imp.refresh_from_db()
    return imp


def test_a_member_created_without_a_city_gets_its_districts(wuxi):
    assert make_member(district="320205").city.adcode == "320200"
    assert make_member(district="jintan").city.adcode == "320400"


def test_a_campaign_gets_its_units_city_through_the_service_and_a_plain_create(wuxi_people, wuxi):
    made = services.campaign_create(
        actor=wuxi_people.wanda,
        code="wx-fair",
        name="集市",
        owner_kind="event",
        place="",
        unit=wuxi["320205"],
    )
    assert made.city.adcode == "320200"
    plain = Campaign.objects.create(code="wx-2", name="又一个", unit=wuxi["city"])
    assert plain.city.adcode == "320200"


def test_a_campaign_on_another_citys_union_is_refused(people, wuxi_people, orgs, as_user):
    with pytest.raises(NotInScope):
        services.campaign_create(
            actor=wuxi_people.wanda,
            code="x",
            name="x",
            owner_kind="union",
            place="",
            unit=orgs["tianning"],
        )
    r = as_user(wuxi_people.wanda).post(
        "/staff/campaigns/",
        {"code": "x", "name": "x", "owner_kind": "union", "place": "", "unit": orgs["tianning"].pk},
    )
    assert r.status_code == 200 and "unit" in r.context["form"].errors
    assert not Campaign.objects.filter(code="x").exists()


def test_a_roster_of_another_city_commits_members_of_that_city(wuxi_people, wuxi):
    rows = roster_sample(3, seed=3, district="梁溪区")
    rows[1][5] = "锡山"  # a district's name without 区
    rows[2][5] = "320213"  # or its code
    imp = _import(wuxi_people.wanda, wuxi["city"], rows)
    assert imp.city.adcode == "320200"
    assert (imp.valid_rows, imp.error_rows) == (3, 0), imp.errors_preview
    roster.roster_commit_start(imp=imp, user=wuxi_people.wanda)
    runner.run_until_empty()  # the commit job: bulk inserts
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.DONE
    members = Member.objects.filter(import_batch=imp)
    assert sorted(members.values_list("city__adcode", "work_district_id")) == [
        ("320200", "320205"),
        ("320200", "320213"),
        ("320200", "320213"),
    ]
    assert {m.union.city_id for m in members.select_related("union")} == {imp.city_id}


def test_a_roster_row_with_a_district_of_another_city_is_an_error(wuxi_people, wuxi):
    rows = roster_sample(2, seed=4, district="梁溪区")
    rows[1][5] = "天宁区"  # Changzhou's
    imp = _import(wuxi_people.wanda, wuxi["city"], rows)
    assert (imp.valid_rows, imp.error_rows) == (1, 1)
    assert imp.errors_preview[0]["errors"] == ["工作区域：“天宁区”不是有效的区域"]


def test_importing_into_another_citys_union_is_refused(people, wuxi):
    with pytest.raises(NotInScope):
        roster.roster_upload(
            user=people.carl,
            unit=wuxi["city"],
            filename="r.xlsx",
            data=roster_xlsx(roster_sample(1, district="梁溪区")),
        )
    assert not RosterImport.objects.exists()


def test_the_template_names_the_districts_of_the_importers_city(wuxi_people, as_user):
    import io

    from openpyxl import load_workbook

    r = as_user(wuxi_people.wanda).get("/staff/imports/template.xlsx")
    notes = dict(load_workbook(io.BytesIO(r.content))["填写说明"].iter_rows(values_only=True))
    assert notes["工作区域"] == "梁溪区、锡山区"


def test_the_join_service_puts_the_member_in_the_campaigns_city(wuxi):
    campaign = Campaign.objects.create(code="wx-1", name="入会", unit=wuxi["320213"])
    data = {
        "campaign": "wx-1",
        "name": "王小明",
        "id_number": "11010519491231002X",
        "phone": "13812345678",
        "industry": "truck",
        "district": "320205",
        "consent_version": "2026-01",
        "sms_code": "246810",
    }
    services.join_code_send(data=data)
    result = services.member_join(data=data)
    assert (result.member.city_id, result.member.union) == (campaign.city_id, wuxi["truck"])

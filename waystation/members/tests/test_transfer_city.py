"""A member belongs to one city at a time; moving to another city is a transfer by the sending
side, with history: afterwards the receiving city's staff see the member and the sending
city's do not."""

import pytest
from django.core.exceptions import ValidationError

from waystation.accounts.access import NotInScope
from waystation.accounts.models import District
from waystation.members import services
from waystation.members.models import Member, MemberTransfer
from waystation.privacy.models import AuditLog

from .factories import make_member


@pytest.fixture
def member(people, wuxi_people):
    return make_member(name="赵六", district="tianning", industry="express")


def detail(m):
    return f"/staff/members/{m.member_number}/"


def test_a_transfer_to_another_city_moves_the_member_there_with_history(
    member, people, wuxi_people, wuxi, orgs, as_user
):
    r = as_user(people.carl).post(
        detail(member) + "transfer/",
        {"union": wuxi["city"].pk, "district": "320213", "reason": "到无锡工作"},
    )
    assert r.status_code == 302
    member.refresh_from_db()
    assert (member.city.adcode, member.union, member.work_district_id, member.industry_id) == (
        "320200",
        wuxi["city"],
        "320213",
        "express",
    )
    t = MemberTransfer.objects.get()
    assert (t.member, t.actor, t.reason) == (member, people.carl, "到无锡工作")
    assert (t.from_city.adcode, t.from_unit, t.from_district_id) == (
        "320400",
        orgs["express"],
        "tianning",
    )
    assert (t.to_city.adcode, t.to_unit, t.to_district_id, t.moved_city) == (
        "320200",
        wuxi["city"],
        "320213",
        True,
    )
    log = AuditLog.objects.get(action="member.transfer")
    assert (log.city.adcode, log.actor, log.reason) == ("320400", people.carl, "到无锡工作")
    assert log.detail == {
        "from": "express",
        "to": wuxi["city"].code,
        "from_city": "320400",
        "to_city": "320200",
    }

    assert as_user(people.carl).get(detail(member)).status_code == 404  # the sending city's
    page = as_user(wuxi_people.wanda).get(detail(member))  # the receiving city's
    assert page.status_code == 200
    (moved,) = [e for e in page.context["history"] if e.kind == "转会"]
    assert (moved.at, moved.title) == (t.at, f"常州市快递行业工会 → {t.to_unit.name}（无锡市）")
    assert moved.title in page.content.decode()


def test_a_transfer_to_a_district_union_of_another_city_takes_its_district(member, people, wuxi):
    services.member_transfer(
        member=member, union=wuxi["320205"], reason="调入锡山", actor=people.carl
    )
    member.refresh_from_db()
    assert (member.city.adcode, member.work_district_id) == ("320200", "320205")


def test_a_transfer_to_an_industry_union_of_another_city_takes_its_industry(member, people, wuxi):
    services.member_transfer(
        member=member,
        union=wuxi["food_delivery"],
        reason="改送外卖",
        district=District.objects.get(code="320213"),
        actor=people.carl,
    )
    member.refresh_from_db()
    assert (member.city.adcode, member.industry_id, member.work_district_id) == (
        "320200",
        "food_delivery",
        "320213",
    )


@pytest.mark.parametrize(
    ("district", "message"),
    [
        (None, "转往其他城市，请选择会员在该城市的工作区域"),
        ("zhonglou", "工作区域不在转入工会所在的城市"),
    ],
)
def test_a_transfer_to_another_city_needs_a_district_there(district, message, member, people, wuxi):
    with pytest.raises(ValidationError) as caught:
        services.member_transfer(
            member=member,
            union=wuxi["city"],
            reason="到无锡工作",
            district=District.objects.get(code=district) if district else None,
            actor=people.carl,
        )
    assert caught.value.message_dict == {"district": [message]}
    member.refresh_from_db()
    assert (member.city.adcode, member.work_district_id) == ("320400", "tianning")
    assert not MemberTransfer.objects.exists() and not AuditLog.objects.exists()


def test_a_transfer_within_the_city_keeps_the_city_and_records_history(member, people, orgs):
    services.member_transfer(
        member=member, union=orgs["zhonglou"], reason="调入钟楼", actor=people.alice
    )
    member.refresh_from_db()
    assert (member.city.adcode, member.work_district_id) == ("320400", "zhonglou")
    t = MemberTransfer.objects.get()
    assert (t.moved_city, t.from_district_id, t.to_district_id) == (False, "tianning", "zhonglou")


@pytest.mark.parametrize("who", ["wanda", "wade", "wes"])
def test_the_receiving_city_cannot_pull_a_member_over(who, member, wuxi_people, wuxi):
    with pytest.raises(NotInScope):
        services.member_transfer(
            member=member,
            union=wuxi["city"],
            reason="调入无锡",
            district=District.objects.get(code="320213"),
            actor=wuxi_people[who],
        )
    member.refresh_from_db()
    assert member.city.adcode == "320400" and not MemberTransfer.objects.exists()


def test_a_province_federation_is_no_members_union(member, people, wuxi_people):
    from waystation.accounts.models import OrgUnit

    province = OrgUnit.objects.get(kind=OrgUnit.Kind.PROVINCE)
    with pytest.raises(ValidationError) as caught:
        services.member_transfer(
            member=member, union=province, reason="调入省总", actor=people.carl
        )
    assert "union" in caught.value.message_dict
    assert Member.objects.get(pk=member.pk).union_id == member.union_id


def test_the_detail_page_offers_the_unions_and_districts_of_every_city(
    member, people, wuxi, as_user
):
    page = as_user(people.carl).get(detail(member))
    units = set(page.context["units"])
    assert wuxi["city"] in units and member.union not in units
    assert all(u.city_id is not None for u in units)
    districts = {d.code for d in page.context["districts"]}
    assert {"320213", "tianning"} <= districts

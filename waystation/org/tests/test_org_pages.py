"""The organisation's rows as their admins edit them: a city administrator their own city only,
the national operator the shared vocabulary; every edit audited, bad input changes nothing."""

import pytest
from django.contrib.auth import get_user_model

from waystation.accounts.models import District, Industry, OrgUnit, Platform
from waystation.privacy.models import AuditAction, AuditLog


def _city_post(city, districts, units, **changes):
    data = {
        "city-union_name": city.union_name,
        "city-sms_signature": city.sms_signature,
        "d-TOTAL_FORMS": str(len(districts)),
        "d-INITIAL_FORMS": str(len(districts)),
        "u-TOTAL_FORMS": str(len(units)),
        "u-INITIAL_FORMS": str(len(units)),
    }
    for i, d in enumerate(districts):
        data |= {f"d-{i}-id": str(d.pk), f"d-{i}-name": d.name, f"d-{i}-order": str(d.order)}
    for i, u in enumerate(units):
        data |= {f"u-{i}-id": str(u.pk), f"u-{i}-name": u.name}
    return data | changes


@pytest.fixture
def changzhou(orgs):
    city = orgs["city"].city
    districts = list(city.districts.all())
    units = list(OrgUnit.objects.filter(city=city).order_by("kind", "id"))
    return city, districts, units


@pytest.mark.prg("org:city")
def test_the_city_admin_renames_a_district_and_the_edit_is_audited(people, as_user, changzhou):
    city, districts, units = changzhou
    i = next(i for i, d in enumerate(districts) if d.code == "jingkai")
    post = _city_post(city, districts, units, **{f"d-{i}-name": "常州经开区"})
    client = as_user(people.admin)
    r = client.post(f"/staff/org/{city.adcode}/", post)
    assert r.status_code == 302 and r.url == f"/staff/org/{city.adcode}/"
    assert District.objects.get(code="jingkai").name == "常州经开区"
    row = AuditLog.objects.get(action=AuditAction.ORG_EDIT)
    assert row.actor == people.admin
    assert row.detail["changed"] == {f"district:{districts[i].pk}": {"name": "常州经开区"}}
    page = client.get(r.url).content.decode()
    assert "已保存 1 处修改" in page and "常州经开区" in page


def test_a_blank_name_or_signature_is_refused_and_nothing_changes(people, as_user, changzhou):
    city, districts, units = changzhou
    post = _city_post(
        city, districts, units, **{"d-0-name": "", "city-sms_signature": "【】", "u-0-name": "新名"}
    )
    r = as_user(people.admin).post(f"/staff/org/{city.adcode}/", post)
    assert r.status_code == 200
    page = r.content.decode()
    assert "请填写短信签名" in page and "这个字段是必填项" in page
    assert District.objects.get(pk=districts[0].pk).name == districts[0].name
    assert OrgUnit.objects.get(pk=units[0].pk).name == units[0].name
    assert not AuditLog.objects.filter(action=AuditAction.ORG_EDIT).exists()


def test_another_citys_admin_and_union_staff_get_404(people, wuxi_people, as_user, changzhou):
    city, districts, units = changzhou
    post = _city_post(city, districts, units, **{"d-0-name": "改掉"})
    for user in (wuxi_people.wade, people.carl, people.alice):
        assert as_user(user).get(f"/staff/org/{city.adcode}/").status_code == 404
        assert as_user(user).post(f"/staff/org/{city.adcode}/", post).status_code == 404
    assert District.objects.get(pk=districts[0].pk).name == districts[0].name
    assert as_user(people.carl).get("/staff/org/").status_code == 404


def test_a_city_admin_lists_only_their_cities(people, wuxi_people, as_user):
    mine = as_user(wuxi_people.wade).get("/staff/org/").content.decode()
    assert "无锡市" in mine and "常州市" not in mine and "/staff/org/vocabulary/" not in mine
    assert as_user(wuxi_people.wade).get("/staff/org/vocabulary/").status_code == 404


def test_a_row_of_another_city_cannot_be_slipped_into_the_form(people, wuxi, as_user, changzhou):
    city, districts, units = changzhou
    other = District.objects.get(code="320213")
    post = _city_post(city, districts, units, **{"d-0-id": str(other.pk), "d-0-name": "梁溪改"})
    r = as_user(people.admin).post(f"/staff/org/{city.adcode}/", post)
    assert r.status_code == 404  # a forged post: nothing of either city is written
    assert District.objects.get(code="320213").name == "梁溪区"
    assert not AuditLog.objects.filter(action=AuditAction.ORG_EDIT).exists()


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("root", password="pw-root")


@pytest.mark.prg("org:vocabulary")
def test_the_operator_adds_an_industry_and_every_city_gets_its_union(operator, wuxi, as_user):
    r = as_user(operator).post(
        "/staff/org/vocabulary/",
        {"action": "add_industry", "ni-code": "cleaning", "ni-name": "保洁"},
    )
    assert r.status_code == 302
    unions = OrgUnit.objects.filter(industry_id="cleaning").order_by("city__adcode")
    assert [u.name for u in unions] == ["无锡市保洁行业工会", "常州市保洁行业工会"]
    assert all(u.parent.kind == OrgUnit.Kind.CITY for u in unions)


def test_a_duplicate_platform_code_is_refused(operator, orgs, as_user):
    before = Platform.objects.count()
    r = as_user(operator).post(
        "/staff/org/vocabulary/",
        {
            "action": "add_platform",
            "np-code": "meituan",
            "np-name": "又一个美团",
            "np-industry": "",
        },
    )
    assert r.status_code == 200 and "已存在" in r.content.decode()
    assert Platform.objects.count() == before


def test_the_operator_renames_an_industry(operator, orgs, as_user):
    industries = list(Industry.objects.all())
    platforms = list(Platform.objects.all())
    post = {
        "action": "edit",
        "i-TOTAL_FORMS": str(len(industries)),
        "i-INITIAL_FORMS": str(len(industries)),
        "p-TOTAL_FORMS": str(len(platforms)),
        "p-INITIAL_FORMS": str(len(platforms)),
    }
    for i, row in enumerate(industries):
        post |= {f"i-{i}-id": str(row.pk), f"i-{i}-name": row.name, f"i-{i}-order": str(row.order)}
    for i, row in enumerate(platforms):
        post |= {f"p-{i}-id": str(row.pk), f"p-{i}-name": row.name,
                 f"p-{i}-industry": row.industry_id or ""}  # fmt: skip
    post["i-0-name"] = "快递物流"
    assert as_user(operator).post("/staff/org/vocabulary/", post).status_code == 302
    assert Industry.objects.get(pk=industries[0].pk).name == "快递物流"

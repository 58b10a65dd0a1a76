"""The access matrix: owner unit, colleague, same-level other unit, industry union, city, outsider,
for list, detail, reveal and export. Outsiders get 404, never 403."""

import io

import pytest
from openpyxl import load_workbook

from waystation.accounts.access import NotInScope
from waystation.members import services
from waystation.privacy.models import AuditLog

from .factories import make_member

ID = "11010519491231002X"
PHONE = "13812345678"


@pytest.fixture
def member(people):
    return make_member(name="赵六", id_number=ID, phone=PHONE, district="tianning",
                       industry="express")  # fmt: skip


def detail(member):
    return f"/staff/members/{member.member_number}/"


@pytest.mark.parametrize("who", ["alice", "bob", "carl", "admin"])
def test_staff_in_scope_see_member_in_list_and_detail(who, people, member, as_user):
    c = as_user(people[who])
    assert member.member_number in c.get("/staff/members/").content.decode()
    assert c.get(detail(member)).status_code == 200


@pytest.mark.parametrize("who", ["charlie", "dora"])
def test_staff_of_other_units_cannot_see_member(who, people, member, as_user):
    c = as_user(people[who])
    assert member.member_number not in c.get("/staff/members/").content.decode()
    assert c.get(detail(member)).status_code == 404
    r = c.post(detail(member) + "reveal/", {"reason": "核对身份", "fields": ["id_number"]})
    assert r.status_code == 404


def test_industry_union_sees_members_of_its_industry_in_any_district(people, as_user):
    m = make_member(industry="food_delivery", district="liyang")
    c = as_user(people.dora)
    assert c.get(detail(m)).status_code == 200


@pytest.mark.parametrize("who", ["olga", "lily"])
def test_people_without_union_role_get_404_everywhere(who, people, member, as_user):
    c = as_user(people[who])
    for url in ("/staff/members/", detail(member), "/staff/members/export.xlsx", "/staff/stats/"):
        assert c.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login(client, member):
    r = client.get(detail(member))
    assert r.status_code == 302 and r.url.startswith("/staff/login/")


def test_pages_never_show_full_id_or_phone(people, member, as_user):
    c = as_user(people.alice)
    searched = c.post("/staff/members/", {"q": PHONE}, follow=True)
    assert PHONE not in searched.redirect_chain[-1][0]  # never in a URL
    for url in ("/staff/members/", detail(member), searched.redirect_chain[-1][0]):
        html = c.get(url).content.decode()
        assert ID not in html and PHONE not in html, url
        assert "110***********002X" in html and "138****5678" in html, url


def test_exact_search_by_phone_and_id_number_finds_one_member(people, member, as_user):
    other = make_member(district="tianning")
    c = as_user(people.alice)
    for q in (PHONE, ID, ID.lower(), member.member_number.lower()):
        page = c.post("/staff/members/", {"q": q}, follow=True).context["page"]
        assert [m.pk for m in page] == [member.pk], q
    html = c.post("/staff/members/", {"q": PHONE}, follow=True).content.decode()
    assert other.member_number not in html


def test_list_filters_by_district_and_status(people, member, as_user):
    make_member(district="tianning", status="lapsed")
    c = as_user(people.carl)
    page = c.get("/staff/members/", {"district": "tianning", "status": "active"}).context["page"]
    assert [m.pk for m in page] == [member.pk]


@pytest.mark.parametrize("rows", [3, 30])
def test_member_list_query_count_does_not_grow_with_rows(
    rows, people, as_user, django_assert_max_num_queries
):
    members = [make_member(district="tianning") for _ in range(rows)]
    c = as_user(people.alice)
    with django_assert_max_num_queries(8):
        html = c.get("/staff/members/").content.decode()
    assert all(f'">{m.member_number}</a>' in html for m in members)


def test_reveal_needs_a_reason_and_is_audited(people, member, as_user):
    c = as_user(people.alice)
    r = c.post(detail(member) + "reveal/", {"reason": "", "fields": ["id_number"]})
    assert ID not in r.content.decode()
    assert not AuditLog.objects.filter(action="member.reveal").exists()
    r = c.post(detail(member) + "reveal/", {"reason": "核对理赔身份", "fields": ["id_number"]})
    html = r.content.decode()
    assert ID in html and PHONE not in html
    log = AuditLog.objects.get(action="member.reveal")
    assert log.actor == people.alice and log.reason == "核对理赔身份"
    assert log.detail["fields"] == ["id_number"] and ID not in str(log.detail)


def test_export_is_masked_scoped_and_audited(people, member, as_user):
    make_member(district="zhonglou")
    c = as_user(people.alice)
    r = c.get("/staff/members/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the one 天宁 member
    assert rows[1][2] == "110***********002X" and rows[1][3] == "138****5678"
    assert AuditLog.objects.filter(action="member.export", actor=people.alice).count() == 1


def test_export_never_writes_formulas(people, as_user):
    make_member(name="Eve", district="tianning")
    from waystation.members.models import Member

    Member.objects.filter(name="Eve").update(name="=HYPERLINK(1)")
    r = as_user(people.alice).get("/staff/members/export.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    cell = ws.cell(row=2, column=2)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_api_member_detail_is_masked_and_scoped(people, member, as_user):
    url = f"/api/v1/members/{member.member_number}"
    body = as_user(people.alice).get(url).json()
    assert body["id_number"] == "110***********002X" and body["phone"] == "138****5678"
    assert ID not in str(body) and PHONE not in str(body)
    assert as_user(people.charlie).get(url).status_code == 404
    assert as_user(people.olga).get(url).status_code == 404
    from django.test import Client

    assert Client().get(url).status_code == 401


def test_status_change_and_transfer_are_audited(people, member, orgs, as_user):
    c = as_user(people.alice)
    c.post(detail(member) + "status/", {"status": "lapsed", "reason": "连续欠缴会费"})
    member.refresh_from_db()
    assert member.status == "lapsed"
    c.post(detail(member) + "transfer/", {"union": orgs["food_delivery"].pk, "reason": "转行外卖"})
    member.refresh_from_db()
    assert member.union == orgs["food_delivery"] and member.industry_id == "food_delivery"
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"member.lapsed", "member.transfer"} <= actions


def test_status_change_without_reason_changes_nothing(people, member, as_user):
    as_user(people.alice).post(detail(member) + "status/", {"status": "withdrawn", "reason": ""})
    member.refresh_from_db()
    assert member.status == "active"


def test_audit_log_is_append_only(people, member, as_user):
    as_user(people.alice).post(detail(member) + "reveal/", {"reason": "核对", "fields": ["phone"]})
    log = AuditLog.objects.get()
    log.reason = "抹掉"
    with pytest.raises(PermissionError):
        log.save()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.update(reason="x")


def test_only_the_city_admin_reads_the_audit_log(people, member, as_user):
    as_user(people.alice).post(detail(member) + "reveal/", {"reason": "核对", "fields": ["phone"]})
    assert as_user(people.carl).get("/staff/audit/").status_code == 404
    r = as_user(people.admin).get("/staff/audit/", {"action": "member.reveal"})
    assert r.status_code == 200 and "alice" in r.content.decode()


# --- the services check, whoever calls them: NotInScope, answered 404 by pages and the API ---


@pytest.mark.parametrize("who", ["charlie", "lily", "olga"])
def test_revealing_a_member_out_of_scope_is_refused_by_the_service(who, people, member):
    with pytest.raises(NotInScope):
        services.member_reveal(member=member, fields=["phone"], reason="核对", actor=people[who])
    assert not AuditLog.objects.exists()


def test_a_status_change_out_of_scope_is_refused_and_changes_nothing(people, member):
    with pytest.raises(NotInScope):
        services.member_set_status(
            member=member, status="lapsed", reason="连续欠缴会费", actor=people.charlie
        )
    member.refresh_from_db()
    assert member.status == "active"
    assert not AuditLog.objects.exists()


def test_a_transfer_out_of_scope_is_refused_and_changes_nothing(people, member, orgs):
    with pytest.raises(NotInScope):
        services.member_transfer(
            member=member, union=orgs["zhonglou"], reason="调入钟楼", actor=people.charlie
        )
    member.refresh_from_db()
    assert member.work_district_id == "tianning"


def test_staff_in_scope_may_reveal(people, member):
    revealed = services.member_reveal(member=member, fields=["phone"], reason="核对",
                                      actor=people.bob)  # fmt: skip
    assert revealed == {"phone": PHONE}


def test_a_reveal_page_out_of_scope_answers_the_404_page(people, member, as_user):
    r = as_user(people.charlie).post(
        f"/staff/members/{member.member_number}/reveal/", {"reason": "核对", "fields": ["phone"]}
    )
    assert r.status_code == 404
    assert "找不到这个页面" in r.content.decode() and PHONE not in r.content.decode()


def test_the_member_api_out_of_scope_answers_404(people, member, as_user):
    r = as_user(people.charlie).get(f"/api/v1/members/{member.member_number}")
    assert (r.status_code, r.json()) == (404, {"detail": "未找到 (not found)"})

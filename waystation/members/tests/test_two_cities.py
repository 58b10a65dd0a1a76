"""The access matrix with two cities: staff of 无锡 reach no Changzhou member, campaign or
import by its number, code or id on any staff URL (404, as for a row that does not exist), and
Changzhou's staff none of 无锡's; the province's staff see both; lists, statistics and exports
hold the viewer's city only."""

import io

import pytest
from openpyxl import load_workbook

from waystation.members.models import Member

GET_URLS = [
    "/staff/members/{member}/",
    "/staff/campaigns/{campaign}/poster.png",
    "/staff/campaigns/{campaign}/poster.pdf",
    "/staff/imports/{imp}/",
    "/staff/imports/{imp}/errors.xlsx",
    "/api/v1/members/{member}",
]
POSTS = [
    ("/staff/members/{member}/reveal/", {"reason": "核对身份", "fields": ["phone"]}),
    ("/staff/members/{member}/status/", {"status": "lapsed", "reason": "连续欠缴会费"}),
    ("/staff/imports/{imp}/commit/", {}),
]


def urls(rows, city):
    keys = {
        "member": rows[f"{city}_member"].member_number,
        "campaign": rows[f"{city}_campaign"].code,
        "imp": rows[f"{city}_import"].pk,
    }
    return [u.format(**keys) for u in GET_URLS], [(u.format(**keys), d) for u, d in POSTS]


@pytest.mark.parametrize(
    ("who", "other"),
    [
        ("wanda", "cz"),
        ("wade", "cz"),
        ("wes", "cz"),
        ("carl", "wx"),
        ("admin", "wx"),
        ("alice", "wx"),
    ],
)
def test_staff_of_one_city_get_404_for_every_object_of_the_other(
    who, other, people, wuxi_people, two_cities, as_user
):
    client = as_user({**people, **wuxi_people}[who])
    gets, posts = urls(two_cities, other)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    member = two_cities[f"{other}_member"]
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE


def test_a_transfer_page_of_the_other_city_answers_404_and_moves_nobody(
    people, wuxi_people, wuxi, two_cities, as_user
):
    m = two_cities.cz_member
    r = as_user(wuxi_people.wanda).post(
        f"/staff/members/{m.member_number}/transfer/",
        {"union": wuxi["city"].pk, "district": "320213", "reason": "调入无锡"},
    )
    assert r.status_code == 404
    m.refresh_from_db()
    assert (m.city.adcode, m.union_id) == ("320400", m.union_id) and not m.transfers.exists()


@pytest.mark.parametrize("city", ["cz", "wx"])
def test_staff_of_the_owning_city_and_the_province_see_the_object(
    city, people, wuxi_people, two_cities, as_user
):
    owners = {"cz": [people.carl, people.alice], "wx": [wuxi_people.wanda, wuxi_people.wes]}
    gets, _ = urls(two_cities, city)
    for user in [*owners[city], wuxi_people.pam]:
        client = as_user(user)
        for url in gets:
            if url.endswith("errors.xlsx"):  # no error rows: 404 for everybody
                continue
            assert client.get(url).status_code == 200, (user, url)


@pytest.mark.parametrize(
    ("who", "city"), [("carl", "cz"), ("alice", "cz"), ("wanda", "wx"), ("wes", "wx")]
)
def test_lists_hold_the_viewers_city_only(who, city, people, wuxi_people, two_cities, as_user):
    client = as_user({**people, **wuxi_people}[who])
    members = client.get("/staff/members/").context["page"]
    assert [m.pk for m in members] == [two_cities[f"{city}_member"].pk]
    campaigns = client.get("/staff/campaigns/").context["campaigns"]
    assert [c.pk for c in campaigns] == [two_cities[f"{city}_campaign"].pk]
    imports = client.get("/staff/imports/").context["imports"]
    assert [i.pk for i in imports] == [two_cities[f"{city}_import"].pk]


def test_the_province_lists_both_cities(wuxi_people, two_cities, as_user):
    client = as_user(wuxi_people.pam)
    members = {m.pk for m in client.get("/staff/members/").context["page"]}
    assert members == {two_cities.cz_member.pk, two_cities.wx_member.pk}
    imports = {i.pk for i in client.get("/staff/imports/").context["imports"]}
    assert imports == {two_cities.cz_import.pk, two_cities.wx_import.pk}


def test_a_search_finds_nobody_of_the_other_city(people, wuxi_people, two_cities, as_user):
    number = two_cities.cz_member.member_number
    page = as_user(wuxi_people.wanda).post("/staff/members/", {"q": number}, follow=True)
    assert list(page.context["page"]) == []


def test_statistics_and_exports_count_the_viewers_city(people, wuxi_people, two_cities, as_user):
    from waystation.members.selectors import member_stats

    assert member_stats(wuxi_people.wanda)["by_district"] == [{"name": "梁溪区", "n": 1}]
    assert member_stats(people.carl)["by_district"] == [{"name": "天宁区", "n": 1}]
    assert member_stats(wuxi_people.pam)["by_district"] == [
        {"name": "无锡市 · 梁溪区", "n": 1},
        {"name": "常州市 · 天宁区", "n": 1},
    ]
    r = as_user(wuxi_people.wanda).get("/staff/members/export.xlsx")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert [(row[0], row[4], row[7]) for row in rows[1:]] == [
        (two_cities.wx_member.member_number, "无锡市", "梁溪区")
    ]


def test_the_list_offers_the_districts_of_the_viewers_cities(
    people, wuxi_people, two_cities, as_user
):
    def districts(user):
        return as_user(user).get("/staff/members/").context["districts"]

    assert districts(wuxi_people.wanda) == [("320213", "梁溪区"), ("320205", "锡山区")]
    assert ("tianning", "天宁区") in districts(people.carl)
    assert all(code not in ("320213", "320205") for code, _ in districts(people.carl))
    assert ("320213", "无锡市 · 梁溪区") in districts(wuxi_people.pam)

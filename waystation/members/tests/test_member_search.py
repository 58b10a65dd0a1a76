"""The staff list of members: finding a member by name (an exact match through the keyed hash
of the name as it is looked up, never the name in a URL), the orders, the page size and the
page jump."""

from urllib.parse import parse_qs, urlsplit

import pytest

from waystation.members.models import Member, name_hash
from waystation.members.tests.factories import make_member

pytestmark = pytest.mark.django_db


def _search(client, q, path="/staff/members/"):
    r = client.post(path, {"q": q})
    assert r.status_code == 302
    return r["Location"]


def _numbers(client, url):
    r = client.get(url)
    assert r.status_code == 200
    return [m.member_number for m in r.context["page"]]


def test_a_name_is_searched_by_its_hash_and_never_put_in_the_url(people, as_user, orgs):
    zhang = make_member(name="张三", district="tianning")
    make_member(name="张三丰", district="tianning")
    make_member(name="李四", district="tianning")
    c = as_user(people.alice)
    location = _search(c, "张三")
    assert "张三" not in location and "%E5%BC%A0" not in location
    assert parse_qs(urlsplit(location).query) == {"nh": [name_hash("张三")]}
    assert _numbers(c, location) == [zhang.member_number]  # exact: 张三丰 is not 张三


@pytest.mark.parametrize("typed", ["张 三", "　张三　", "张\u3000三", " 张三"])
def test_spaces_and_full_width_spaces_do_not_matter(people, as_user, orgs, typed):
    zhang = make_member(name="张三", district="tianning")
    c = as_user(people.alice)
    assert _numbers(c, _search(c, typed)) == [zhang.member_number]


def test_full_width_latin_letters_and_case_do_not_matter(people, as_user, orgs):
    anna = make_member(name="Anna Li", district="tianning")
    c = as_user(people.alice)
    assert _numbers(c, _search(c, "ＡＮＮＡ　ｌｉ")) == [anna.member_number]


def test_a_name_search_stays_in_the_searchers_scope(people, as_user, orgs):
    make_member(name="王五", district="zhonglou")  # 钟楼: not alice's
    c = as_user(people.alice)
    assert _numbers(c, _search(c, "王五")) == []
    assert len(_numbers(as_user(people.charlie), _search(as_user(people.charlie), "王五"))) == 1


def test_a_phone_is_still_searched_by_its_hash(people, as_user, orgs):
    m = make_member(name="赵六", phone="13812345678", district="tianning")
    c = as_user(people.alice)
    location = _search(c, "138 1234 5678")
    assert "13812345678" not in location and "nh=" not in location
    assert _numbers(c, location) == [m.member_number]


def test_a_new_search_replaces_the_last_and_keeps_the_filters(people, as_user, orgs):
    make_member(name="张三", district="tianning")
    c = as_user(people.alice)
    first = _search(c, "张三", "/staff/members/?status=active")
    again = _search(c, "李四", first)
    query = parse_qs(urlsplit(again).query)
    assert query == {"status": ["active"], "nh": [name_hash("李四")]}


def test_name_hash_is_kept_when_a_member_is_saved_with_a_new_name(orgs):
    m = make_member(name="张三", district="tianning")
    m.name = "张 叁"
    m.save()
    assert Member.objects.get(pk=m.pk).name_hash == name_hash("张叁")


def test_the_list_sorts_by_member_number_both_ways(people, as_user, orgs):
    made = [make_member(name="张三", district="tianning").member_number for _ in range(3)]
    c = as_user(people.alice)
    assert _numbers(c, "/staff/members/?sort=number_asc") == sorted(made)
    assert _numbers(c, "/staff/members/?sort=number_desc") == sorted(made, reverse=True)
    assert _numbers(c, "/staff/members/?sort=nonsense") == _numbers(c, "/staff/members/")


def test_the_page_size_is_one_of_the_offered(people, as_user, orgs):
    for _ in range(25):
        make_member(district="tianning")
    c = as_user(people.alice)
    assert len(_numbers(c, "/staff/members/?size=20")) == 20
    assert len(_numbers(c, "/staff/members/?size=7")) == 25  # not offered: the default, 50


def test_the_page_jump_keeps_filters_order_and_size(people, as_user, orgs):
    made = [make_member(district="tianning").member_number for _ in range(45)]
    c = as_user(people.alice)
    r = c.get("/staff/members/?status=active&sort=number_asc&size=20")
    form = r.content.decode().split('id="page-jump"')[1].split("</form>")[0]
    assert 'name="status" value="active"' in form
    assert 'name="sort" value="number_asc"' in form and 'name="size" value="20"' in form
    assert 'max="3"' in form
    assert (
        _numbers(c, "/staff/members/?status=active&sort=number_asc&size=20&page=3")
        == (sorted(made)[40:])
    )


def test_the_sort_and_size_form_keeps_the_search_and_filters(people, as_user, orgs):
    make_member(name="张三", district="tianning")
    c = as_user(people.alice)
    r = c.get(f"/staff/members/?status=active&nh={name_hash('张三')}")
    form = r.content.decode().split('id="member-order"')[1].split("</form>")[0]
    assert 'name="status" value="active"' in form
    assert f'name="nh" value="{name_hash("张三")}"' in form
    assert len(r.context["page"]) == 1

"""An analysis is of one city: its author's (or the one a province's staff name), its demand
and its map are that city's districts, and its pages keep to that city (404 for the others)."""

import json

import pytest

from waystation.accounts import geography
from waystation.aid.tests.conftest import make_member
from waystation.planner import inputs
from waystation.planner.models import Analysis
from waystation.planning import PlanningError

from .test_analysis_page import form


def _urls(a: Analysis) -> list[str]:
    return [f"/staff/planning/{a.pk}/", f"/staff/planning/{a.pk}/layers.geojson",
            f"/staff/planning/{a.pk}/report.xlsx"]  # fmt: skip


def _made_by(as_user, user, **over) -> Analysis:
    r = as_user(user).post("/staff/planning/new/", form(**over))
    assert r.status_code == 302, r.content.decode()
    return Analysis.objects.latest("pk")


def test_an_analysis_is_of_its_authors_city_and_its_job_too(people, wuxi_people, as_user):
    cz = _made_by(as_user, people.carl)
    wx = _made_by(as_user, wuxi_people.wes)
    assert (cz.city.adcode, cz.job.city.adcode) == ("320400", "320400")
    assert (wx.city.adcode, wx.job.city.adcode) == ("320200", "320200")


def test_the_province_names_the_city_it_analyses(people, wuxi_people, as_user):
    pam = as_user(wuxi_people.pam)
    page = pam.get("/staff/planning/").content.decode()
    assert 'name="city"' in page and "无锡市" in page and "常州市" in page
    r = pam.post("/staff/planning/new/", form())
    assert r.status_code == 400 and "请选择城市" in r.content.decode()
    assert _made_by(as_user, wuxi_people.pam, city="320200").city.adcode == "320200"


@pytest.mark.parametrize(
    ("who", "cz_status", "wx_status"),
    [
        ("wanda", 404, 200),
        ("wade", 404, 200),
        ("wes", 404, 200),  # the 无锡 analysis's author
        ("pam", 200, 200),
        ("carl", 200, 404),
        ("admin", 200, 404),
        ("alice", 200, 404),  # the Changzhou analysis's author
    ],
)
def test_each_citys_analyses_are_seen_in_that_city_only(
    who, cz_status, wx_status, people, wuxi_people, as_user
):
    cz = _made_by(as_user, people.alice)
    wx = _made_by(as_user, wuxi_people.wes)
    c = as_user({**people, **wuxi_people}[who])
    assert {c.get(u).status_code for u in _urls(cz)} == {cz_status}
    assert {c.get(u).status_code for u in _urls(wx)} == {wx_status}


def test_the_planning_page_lists_the_districts_of_the_users_city(people, wuxi_people, as_user):
    wanda = as_user(wuxi_people.wanda).get("/staff/planning/").content.decode()
    assert "无锡市（梁溪区、锡山区）" in wanda and "天宁区" not in wanda
    carl = as_user(people.carl).get("/staff/planning/").content.decode()
    assert "常州市（天宁区、钟楼区、新北区、武进区、金坛区、溧阳市、经开区）" in carl
    assert "梁溪区" not in carl


def test_the_map_draws_the_districts_of_the_analysis_city(people, wuxi_people, as_user):
    cz = _made_by(as_user, people.carl)
    wx = _made_by(as_user, wuxi_people.wanda)
    page = as_user(people.carl).get(f"/staff/planning/{cz.pk}/")
    shapes = json.loads(page.context["boundaries"])
    # 经开区 has no polygon of its own (it lies in 武进区): six shapes, in WGS-84 around Changzhou
    assert [f["properties"]["name"] for f in shapes["features"]] == [
        "天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市",
    ]  # fmt: skip
    lon, lat = shapes["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 119.8 < lon < 120.2 and 31.6 < lat < 32.0
    page = as_user(wuxi_people.wanda).get(f"/staff/planning/{wx.pk}/")
    assert json.loads(page.context["boundaries"])["features"] == []  # 无锡's rows have none here


def test_the_members_demand_of_a_city_leaves_out_the_members_of_another(orgs, wuxi):
    make_member("CZ00000001", district="tianning", id_tail="0011")
    make_member("CZ10000001", district="320213", id_tail="0033")
    layer = inputs.members_layer(50, 7, orgs["city"].city_id)
    # all in 天宁区 (adcode 320402), where the one Changzhou member works; none in 梁溪区
    assert (
        len(layer) == 50
        and geography.boundaries([orgs["city"].city_id])
        .unit("tianning")
        .contains(layer.lon, layer.lat)
        .all()
    )
    with pytest.raises(PlanningError, match="没有在册会员"):
        inputs.members_layer(50, 7, orgs["city"].city_id + 10_000)  # a city without members

"""An old poster's link: an ended campaign says so (410) and an unknown one says it was not
found (404), in Chinese in the site's layout, each offering the city's standing campaign."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from waystation.members import demo, selectors
from waystation.members.models import Campaign, Member


@pytest.fixture
def standing(orgs):
    return Campaign.objects.create(
        code="changzhou", name="常州市总工会扫码入会", unit=orgs["city"], is_default=True
    )


@pytest.fixture
def ended(orgs):
    return Campaign.objects.create(
        code="summer-2023", name="2023年夏季送清凉入会", unit=orgs["tianning"], active=False
    )


def test_an_ended_campaign_says_so_and_offers_the_standing_one(client, standing, ended):
    r = client.get("/join/summer-2023/")
    assert r.status_code == 410
    html = r.content.decode()
    assert "这个入会活动已经结束" in html and "2023年夏季送清凉入会" in html
    assert '<header class="topbar">' in html  # the site's layout
    assert 'href="/join/changzhou/"' in html and "通过常州市总工会入会" in html


def test_an_unknown_campaign_is_404_with_the_standing_one(client, standing):
    r = client.get("/join/no-such-poster/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "没有找到这个入会活动" in html and 'href="/join/changzhou/"' in html


def test_posting_to_an_ended_campaign_joins_no_one(client, standing, ended):
    r = client.post(
        "/join/summer-2023/",
        {"name": "王小明", "id_number": "11010519491231002X", "phone": "13812345678",
         "action": "send_code"},
    )  # fmt: skip
    assert r.status_code == 410 and Member.objects.count() == 0


def test_without_a_standing_campaign_the_page_points_to_the_stations(client, ended):
    r = client.get("/join/summer-2023/")
    assert r.status_code == 410
    html = r.content.decode()
    assert "请到附近的工会驿站或所在区总工会咨询入会" in html and "/join/" not in html


def test_a_standing_campaign_that_ended_is_not_offered(client, standing, ended):
    standing.active = False
    standing.save(update_fields=["active"])
    assert selectors.default_campaign() is None
    assert 'href="/join/changzhou/"' not in client.get("/join/summer-2023/").content.decode()


def test_there_is_at_most_one_standing_campaign(standing, orgs):
    with pytest.raises(IntegrityError):
        Campaign.objects.create(code="other", name="另一个", unit=orgs["city"], is_default=True)


def test_the_command_moves_the_standing_campaign(standing, orgs):
    Campaign.objects.create(code="city-2027", name="2027年入会", unit=orgs["city"])
    out = io.StringIO()
    call_command("campaign_default", "city-2027", stdout=out)
    assert out.getvalue() == "default campaign: city-2027 (2027年入会)\n"
    assert list(Campaign.objects.filter(is_default=True).values_list("code", flat=True)) == [
        "city-2027"
    ]


def test_the_command_refuses_an_ended_campaign(standing, ended):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="已结束的活动不能设为默认入会渠道"):
        call_command("campaign_default", "summer-2023", stdout=io.StringIO())
    assert selectors.default_campaign() == standing


def test_the_demo_has_a_standing_campaign_and_an_ended_poster(client, orgs):
    demo.load(io.StringIO(), members=0)
    demo.load(io.StringIO(), members=0)  # idempotent
    default = selectors.default_campaign()
    assert default is not None and default.code == "changzhou" and default.unit.kind == "city"
    assert client.get("/join/tianning-2023/").status_code == 410
    assert client.get("/join/changzhou/").status_code == 200

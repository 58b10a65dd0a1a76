"""Joining in a city: the member belongs to the campaign's city, chooses one of its districts,
and gets texts signed by it; an ID number that is already a member in another city is told so
plainly, with nothing of that city on the page and nothing changed. Each city has a standing
campaign of its own."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from waystation.accounts.models import City
from waystation.members import selectors, services
from waystation.members.middleware import SESSION_KEY
from waystation.members.models import Campaign, Member
from waystation.members.sms import TestBackend

from .factories import make_member

ID = "11010519491231002X"
PHONE = "13812345678"


@pytest.fixture
def wx_campaign(wuxi):
    return Campaign.objects.create(code="wx-street", name="梁溪街头入会", unit=wuxi["320213"])


@pytest.fixture
def cz_campaign(orgs):
    return Campaign.objects.create(code="cz-street", name="天宁街头入会", unit=orgs["tianning"])


@pytest.fixture(autouse=True)
def _outbox():
    TestBackend.outbox.clear()


def form(campaign, **over):
    data = {
        "name": "王小明",
        "id_number": ID,
        "phone": PHONE,
        "sms_code": "246810",
        "industry": "express",
        "platforms": ["sf"],
        "district": "320213",
        "consent": "on",
    }
    return data | over


def main(html: bytes) -> str:
    """The page below its header (the site's title is not the campaign's to name)."""
    return html.decode().split("<main", 1)[1]


def join_page(client, campaign, **over):
    url = campaign.get_join_url()
    client.post(url, {**form(campaign, **over), "action": "send_code"})
    return client.post(url, {**form(campaign, **over), "action": "join"})


def test_a_member_joins_in_the_campaigns_city_with_its_union(client, wx_campaign, wuxi):
    r = join_page(client, wx_campaign)
    assert r.status_code == 302 and r.url == "/me/card/"
    m = Member.objects.select_related("city").get()
    assert (m.city.adcode, m.work_district_id, m.union) == ("320200", "320213", wuxi["express"])
    card = main(client.get("/me/card/").content)
    assert '<h1 id="card-title">无锡市总工会<span>电子会员卡</span></h1>' in card
    assert "常州" not in card


def test_the_join_page_offers_the_campaigns_districts_only(client, wx_campaign, cz_campaign):
    assert client.get(wx_campaign.get_join_url()).context["choices"]["districts"] == [
        ("320213", "梁溪区"),
        ("320205", "锡山区"),
    ]
    districts = dict(client.get(cz_campaign.get_join_url()).context["choices"]["districts"])
    assert "tianning" in districts and "320213" not in districts
    notice = main(client.get(wx_campaign.get_join_url()).content)
    assert "无锡市总工会为办理入会" in notice


def test_a_district_of_another_city_is_refused(wx_campaign):
    with pytest.raises(ValidationError) as caught:
        services.clean_join_input(
            {
                **form(wx_campaign, district="tianning"),
                "campaign": wx_campaign.code,
                "consent_version": "2026-01",
            }
        )
    assert caught.value.message_dict == {"district": ["请选择工作所在区域"]}


def test_joining_in_another_city_with_ones_own_phone_says_so_and_changes_nothing(
    client, orgs, wx_campaign
):
    make_member(name="常州会员", id_number=ID, phone=PHONE, district="tianning")
    fields = ("member_number", "name", "city", "union", "work_district", "industry", "status")
    before = list(Member.objects.values(*fields))
    r = join_page(client, wx_campaign)
    assert r.status_code == 200
    html = main(r.content)
    assert "已在其他城市入会，请联系工会办理转会" in html
    for leak in (before[0]["member_number"], "常州", "天宁", "常州会员"):
        assert leak not in html, leak
    assert SESSION_KEY not in client.session  # not signed in
    assert list(Member.objects.values(*fields)) == before


def test_joining_in_another_city_with_another_phone_names_no_city(client, wx_campaign, orgs):
    make_member(id_number=ID, phone="13900001111", district="tianning")
    html = main(join_page(client, wx_campaign).content)
    assert "如已入会，请用入会手机号登录" in html and "其他城市" not in html


def test_the_join_code_carries_the_campaigns_city_signature(client, wx_campaign):
    client.post(wx_campaign.get_join_url(), {**form(wx_campaign), "action": "send_code"})
    [(_phone, text)] = TestBackend.outbox
    assert text.startswith("【无锡工会】您的入会验证码为 ")


def test_the_sign_in_code_carries_the_members_city_signature(client, wuxi, orgs):
    make_member(phone=PHONE, district="320213")
    make_member(phone="13900001111", district="tianning")
    for phone, sign in ((PHONE, "【无锡工会】"), ("13900001111", "【常州工会】")):
        r = client.post(
            "/api/v1/sms/send", {"phone": phone, "purpose": "login"}, "application/json"
        )
        assert r.status_code == 202
        assert TestBackend.outbox[-1][1].startswith(sign), phone


def test_a_sign_in_code_for_an_unknown_phone_carries_the_standing_campaigns_city(
    client, wx_campaign, cz_campaign
):
    services.campaign_set_default(campaign=wx_campaign)
    client.post("/api/v1/sms/send", {"phone": PHONE, "purpose": "login"}, "application/json")
    assert TestBackend.outbox[-1][1].startswith("【无锡工会】")


def test_a_city_signature_edited_in_its_row_is_the_one_sent(client, wx_campaign):
    City.objects.filter(adcode="320200").update(sms_signature="无锡市总工会")
    client.post(wx_campaign.get_join_url(), {**form(wx_campaign), "action": "send_code"})
    assert TestBackend.outbox[-1][1].startswith("【无锡市总工会】")


def test_each_city_has_its_own_standing_campaign(wx_campaign, cz_campaign):
    services.campaign_set_default(campaign=cz_campaign)
    services.campaign_set_default(campaign=wx_campaign)
    assert set(Campaign.objects.filter(is_default=True)) == {cz_campaign, wx_campaign}
    assert selectors.default_campaign(wx_campaign.city_id) == wx_campaign
    assert selectors.default_campaign(cz_campaign.city_id) == cz_campaign
    with pytest.raises(IntegrityError):
        Campaign.objects.create(code="wx-2", name="又一个", unit=wx_campaign.unit, is_default=True)


def test_an_ended_campaign_offers_its_own_citys_standing_campaign(client, wx_campaign, orgs):
    standing = Campaign.objects.create(code="cz-all", name="常州入会", unit=orgs["city"])
    services.campaign_set_default(campaign=standing)
    wx_default = Campaign.objects.create(code="wx-all", name="无锡入会", unit=wx_campaign.unit)
    services.campaign_set_default(campaign=wx_default)
    wx_campaign.active = False
    wx_campaign.save(update_fields=["active"])
    html = main(client.get(wx_campaign.get_join_url()).content)
    assert 'href="/join/wx-all/"' in html and "/join/cz-all/" not in html

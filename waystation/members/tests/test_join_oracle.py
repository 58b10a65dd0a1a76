"""Joining with someone else's ID number and one's own phone and code reveals nothing about
them: the same answer whether they are a member or not (active, lapsed, withdrawn), unless the
verified phone is the member's own."""

import pytest
from django.test import Client

from waystation.members.models import Campaign, Member
from waystation.members.tests.factories import make_member
from waystation.members.tests.html import form_state

ID = "11010519491231002X"
MEMBER_PHONE, OWN_PHONE = "13812345678", "13900001111"
HINT = "如已入会，请用入会手机号登录"


@pytest.fixture
def campaign(orgs):
    return Campaign.objects.create(code="street-1", name="街头扫码", unit=orgs["tianning"])


def api_join(client, phone):
    r = client.post("/api/v1/sms/send", {"phone": phone, "purpose": "join"}, "application/json")
    assert r.status_code == 202
    return client.post(
        "/api/v1/join",
        {"campaign": "street-1", "name": "李四", "id_number": ID, "phone": phone,
         "sms_code": "246810", "industry": "express", "platform": "sf", "district": "wujin",
         "consent_version": "2026-01"},
        "application/json",
    )  # fmt: skip


@pytest.mark.parametrize("status", ["active", "lapsed", "withdrawn"])
def test_api_join_with_anothers_id_number_names_neither_member_nor_status(campaign, status):
    member = make_member(name="王小明", id_number=ID, phone=MEMBER_PHONE, status=status)
    r = api_join(Client(), OWN_PHONE)
    assert r.status_code == 400
    assert r.json() == {"errors": {"id_number": [HINT]}}
    assert member.member_number not in r.content.decode()
    assert Member.objects.count() == 1


def test_api_join_with_the_members_own_phone_answers_with_their_membership(campaign):
    member = make_member(name="王小明", id_number=ID, phone=MEMBER_PHONE)
    r = api_join(Client(), MEMBER_PHONE)
    assert r.status_code == 200
    assert r.json()["member_number"] == member.member_number and r.json()["created"] is False


def test_each_probe_spends_the_code(campaign):
    make_member(id_number=ID, phone=MEMBER_PHONE)
    client = Client()
    assert api_join(client, OWN_PHONE).status_code == 400
    again = client.post(
        "/api/v1/join",
        {"campaign": "street-1", "name": "李四", "id_number": ID, "phone": OWN_PHONE,
         "sms_code": "246810", "industry": "express", "district": "wujin",
         "consent_version": "2026-01"},
        "application/json",
    )  # fmt: skip
    assert again.json() == {"errors": {"sms_code": ["验证码已使用，请重新获取"]}}


def test_join_page_with_anothers_id_number_shows_the_hint_and_does_not_sign_in(campaign):
    member = make_member(name="王小明", id_number=ID, phone=MEMBER_PHONE)
    intruder = Client()
    form = {"name": "王小明", "id_number": ID, "phone": OWN_PHONE, "industry": "express",
            "platforms": ["sf"], "district": "wujin", "consent": "on"}  # fmt: skip
    assert intruder.post("/join/street-1/", {**form, "action": "send_code"}).status_code == 302
    r = intruder.post("/join/street-1/", {**form, "sms_code": "246810", "action": "join"})
    assert r.status_code == 200
    assert form_state(r).errors == {"id_number": [HINT]}
    html = r.content.decode()
    assert member.member_number not in html and "正常" not in html
    assert "member_id" not in intruder.session
    assert intruder.get("/me/card/").status_code == 302  # not signed in
    assert Member.objects.count() == 1

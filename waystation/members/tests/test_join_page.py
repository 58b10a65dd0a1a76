"""The join and sign-in pages without script: "获取验证码" never answers 500, keeps all input,
says beside the field what went wrong (and how long to wait), and every successful POST
redirects, so that a reload or Back never posts again."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from waystation.members.models import Campaign, Member, SmsCode
from waystation.members.tests.factories import make_member
from waystation.members.tests.html import form_state

ID = "11010519491231002X"
URL = "/join/street-1/"
TYPED = {
    "name": "王小明",
    "id_number": ID,
    "phone": "13812345678",
    "industry": "express",
    "platforms": ["sf", "jd"],
    "district": "wujin",
    "consent": "on",
}
SHOWN = {**{k: v for k, v in TYPED.items() if k != "consent"}, "consent": True}


@pytest.fixture
def campaign(orgs):
    return Campaign.objects.create(code="street-1", name="街头扫码", unit=orgs["tianning"])


def send_code(client, **over):
    return client.post(URL, {**TYPED, **over, "action": "send_code"})


def shown(response) -> dict:
    values = form_state(response).values
    return {k: values[k] for k in SHOWN}


def test_sending_a_code_redirects_back_with_everything_typed(client, campaign):
    r = send_code(client)
    assert r.status_code == 302 and r["Location"] == URL
    assert SmsCode.objects.count() == 1
    page = client.get(URL)
    assert "验证码已发送，10分钟内有效" in page.content.decode()
    assert shown(page) == SHOWN
    # the countdown starts where the interval stands
    assert 0 < int(form_state(page).buttons["send_code"]["data-resend-after"]) <= 60


def test_what_was_typed_is_kept_encrypted_in_the_session(client, campaign):
    send_code(client)
    stored = str(dict(client.session))
    assert ID not in stored and "13812345678" not in stored and "王小明" not in stored


def test_a_mistyped_phone_is_said_beside_the_phone_with_all_input_kept(client, campaign):
    r = send_code(client, phone="1381234567")
    assert r.status_code == 200
    state = form_state(r)
    assert state.errors == {"phone": ["请输入11位中国大陆手机号码"]}
    assert shown(r) == {**SHOWN, "phone": "1381234567"}
    assert SmsCode.objects.count() == 0


def test_a_bad_id_number_is_said_before_any_code_is_sent(client, campaign):
    r = send_code(client, id_number="110105194912310021", name="", district="")
    assert r.status_code == 200
    assert form_state(r).errors == {
        "id_number": ["身份证号码校验位不正确，请核对"],
        "name": ["请填写姓名"],
        "district": ["请选择工作所在区域"],
    }
    assert SmsCode.objects.count() == 0


def test_consent_is_not_needed_to_ask_for_the_code_but_is_to_join(client, campaign):
    assert send_code(client, consent="").status_code == 302
    r = client.post(URL, {**TYPED, "consent": "", "sms_code": "246810", "action": "join"})
    assert form_state(r).errors == {"consent": ["请阅读并同意个人信息保护告知书"]}
    assert Member.objects.count() == 0


def test_a_second_tap_within_the_interval_shows_the_wait(client, campaign):
    send_code(client)
    SmsCode.objects.update(created_at=timezone.now() - timedelta(seconds=19.5))
    r = send_code(client)
    assert r.status_code == 429 and r["Retry-After"] == "41"
    state = form_state(r)
    assert state.errors == {"phone": ["验证码已发送，请41秒后再重新获取"]}
    assert state.buttons["send_code"]["data-resend-after"] == "41"
    assert shown(r) == SHOWN
    assert SmsCode.objects.count() == 1


def test_posting_the_send_again_right_after_sending_shows_the_wait(client, campaign):
    """A reload that re-posts (an old tab, a browser that resubmits) is a second tap."""
    send_code(client)
    client.get(URL)
    r = send_code(client)
    assert r.status_code == 429 and "后再重新获取" in form_state(r).errors["phone"][0]


def test_the_per_address_limit_shows_the_wait(client, campaign, settings):
    settings.SMS_RATE_PER_IP_PER_HOUR = 1
    send_code(client, phone="13800000001")
    r = send_code(client, phone="13800000002")
    assert r.status_code == 429 and r["Retry-After"] == "3600"
    assert form_state(r).errors == {"phone": ["本网络获取验证码过于频繁，请60分钟后再试"]}
    assert shown(r) == {**SHOWN, "phone": "13800000002"}


@pytest.mark.prg("members:join")
def test_joining_redirects_to_the_card_and_forgets_the_draft(client, campaign):
    send_code(client)
    r = client.post(URL, {**TYPED, "sms_code": "246810", "action": "join"})
    assert r.status_code == 302 and r["Location"] == "/me/card/"
    m = Member.objects.get()
    assert sorted(p.code for p in m.platforms.all()) == ["jd", "sf"]
    assert "members:draft:join" not in client.session
    assert shown(client.get(URL))["id_number"] == ""


def test_a_wrong_code_keeps_everything_typed(client, campaign):
    send_code(client)
    r = client.post(URL, {**TYPED, "sms_code": "000000", "action": "join"})
    assert r.status_code == 200
    assert form_state(r).errors == {"sms_code": ["验证码不正确"]}
    assert shown(r) == SHOWN and form_state(r).values["sms_code"] == "000000"


def test_signing_in_just_after_joining(client, campaign):
    send_code(client)
    client.post(URL, {**TYPED, "sms_code": "246810", "action": "join"})
    other = Client()  # the same person on a second phone, a minute later
    r = other.post("/me/login/", {"phone": "13812345678", "action": "send_code"})
    assert r.status_code == 302 and r["Location"] == "/me/login/"
    r = other.post("/me/login/", {"phone": "13812345678", "sms_code": "246810", "action": "login"})
    assert r.status_code == 302 and r["Location"] == "/me/card/"


@pytest.mark.prg("members:login")
def test_login_send_keeps_next_and_the_phone_through_the_redirect(client, orgs):
    make_member(phone="13812345678")
    r = client.post("/me/login/?next=/me/aid/", {"phone": "138 1234 5678", "action": "send_code"})
    assert r.status_code == 302 and r["Location"] == "/me/login/?next=/me/aid/"
    page = client.get(r["Location"])
    assert form_state(page).values["phone"] == "138 1234 5678"
    assert "验证码已发送" in page.content.decode()
    r = client.post(r["Location"], {"phone": "13812345678", "sms_code": "246810"})
    assert r.status_code == 302 and r["Location"] == "/me/aid/"


@pytest.mark.parametrize(
    ("phone", "message"),
    [("", "请填写手机号码"), ("12345", "请输入11位中国大陆手机号码")],
)
def test_login_with_a_mistyped_phone_says_so_beside_it(client, orgs, phone, message):
    for action in ("send_code", "login"):
        r = client.post("/me/login/", {"phone": phone, "sms_code": "1", "action": action})
        assert r.status_code == 200
        assert form_state(r).errors == {"phone": [message]}
        assert form_state(r).values["phone"] == phone


def test_login_second_tap_shows_the_wait(client, orgs):
    client.post("/me/login/", {"phone": "13812345678", "action": "send_code"})
    SmsCode.objects.update(created_at=timezone.now() - timedelta(seconds=19.5))
    r = client.post("/me/login/", {"phone": "13812345678", "action": "send_code"})
    assert r.status_code == 429 and r["Retry-After"] == "41"
    assert form_state(r).errors == {"phone": ["验证码已发送，请41秒后再重新获取"]}
    assert form_state(r).values["phone"] == "13812345678"


def test_join_page_costs_four_queries(client, campaign, django_assert_num_queries):
    """The campaign (with its city), the industries, the platforms and the city's districts;
    nothing per field (the page every poster opens)."""
    client.get(URL)
    with django_assert_num_queries(4):
        assert client.get(URL).status_code == 200

"""SMS code limits: every limit a setting, 429 with Retry-After on the API, counted per client
address where one address must not use a limit up for everyone (behind the proxy too)."""

import itertools
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from waystation.members.models import Member, SmsCode
from waystation.members.sms import SmsBackend
from waystation.members.tests.factories import make_member

PHONE = "13812345678"
MEMBER_IP, STRANGER_IP, OTHER_IP = "127.0.0.1", "198.51.100.7", "198.51.100.8"


class SequenceBackend(SmsBackend):
    """Each code differs (111111, 222222 …), to tell whose code was accepted."""

    codes = itertools.count(1)
    outbox: list[str] = []

    def code_for(self, phone: str) -> str:
        return str(next(self.codes) % 10) * 6

    def send(self, phone: str, text: str, *, sign: str = "") -> None:
        SequenceBackend.outbox.append(text)


def send(client, phone=PHONE, purpose="login", **headers):
    return client.post(
        "/api/v1/sms/send", {"phone": phone, "purpose": purpose}, "application/json", **headers
    )


def login(client, code, phone=PHONE):
    return client.post("/me/login/", {"phone": phone, "sms_code": code, "action": "login"})


def age_codes(seconds):
    SmsCode.objects.update(created_at=timezone.now() - timedelta(seconds=seconds))


@pytest.fixture
def member(orgs):
    return make_member(name="王小明", phone=PHONE)


def test_a_second_code_within_the_interval_is_429_with_the_wait(client, member):
    assert send(client).status_code == 202
    age_codes(19.5)  # 40.5 s of the 60 s interval left
    r = send(client)
    assert r.status_code == 429
    assert r["Retry-After"] == "41"
    assert r.json() == {
        "errors": {"phone": ["验证码已发送，请41秒后再重新获取"]},
        "retry_after": 41,
    }
    assert SmsCode.objects.count() == 1


def test_sent_answer_says_when_another_code_may_be_requested(client, member, settings):
    settings.SMS_MIN_INTERVAL_SECONDS = 45
    assert send(client).json() == {"detail": "验证码已发送", "resend_after": 45}


def test_codes_to_one_phone_from_one_address_are_limited(client, member, settings):
    settings.SMS_MIN_INTERVAL_SECONDS = 0
    settings.SMS_RATE_PER_PHONE_PER_IP_PER_HOUR = 2
    assert send(client).status_code == 202
    assert send(client).status_code == 202
    age_codes(600)
    r = send(client)
    assert r.status_code == 429 and r["Retry-After"] == "3000"
    assert r.json()["errors"]["phone"] == ["该号码获取验证码次数过多，请50分钟后再试"]
    # the same phone from another address still gets its code
    assert send(Client(REMOTE_ADDR=OTHER_IP)).status_code == 202


def test_codes_to_one_phone_from_all_addresses_together_are_limited(client, member, settings):
    settings.SMS_RATE_PER_PHONE_PER_HOUR = 2
    assert send(Client(REMOTE_ADDR=STRANGER_IP)).status_code == 202
    assert send(Client(REMOTE_ADDR=OTHER_IP)).status_code == 202
    r = send(client)
    assert r.status_code == 429 and "次数过多" in r.json()["errors"]["phone"][0]
    assert SmsCode.objects.count() == 2


def test_codes_from_one_address_are_limited(client, orgs, settings):
    settings.SMS_RATE_PER_IP_PER_HOUR = 2
    assert send(client, "13800000001").status_code == 202
    assert send(client, "13800000002").status_code == 202
    r = send(client, "13800000003")
    assert r.status_code == 429 and int(r["Retry-After"]) == 3600
    assert r.json()["errors"]["phone"] == ["本网络获取验证码过于频繁，请60分钟后再试"]
    assert SmsCode.objects.count() == 2


def test_behind_the_proxy_each_forwarded_client_has_its_own_limit(orgs, settings):
    """Every request arrives from the proxy's address; the client's is in X-Forwarded-For."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SMS_RATE_PER_IP_PER_HOUR = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert send(proxy, "13800000001", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 202
    assert send(proxy, "13800000002", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 202
    again = send(proxy, "13800000003", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.1")
    assert again.status_code == 429
    assert list(SmsCode.objects.order_by("id").values_list("ip", flat=True)) == [
        "203.0.113.1",
        "203.0.113.2",
    ]


def test_signing_in_just_after_joining_needs_no_wait(client, orgs):
    from waystation.members.models import Campaign

    Campaign.objects.create(code="street-1", name="街头扫码", unit=orgs["tianning"])
    assert send(client, purpose="join").status_code == 202
    r = client.post(
        "/api/v1/join",
        {"campaign": "street-1", "name": "王小明", "id_number": "11010519491231002X",
         "phone": PHONE, "sms_code": "246810", "industry": "food_delivery",
         "platform": "meituan", "district": "tianning", "consent_version": "2026-01"},
        "application/json",
    )  # fmt: skip
    assert r.status_code == 201
    # the join code was used: it proved the phone, so a sign-in code may follow at once
    assert send(client, purpose="login").status_code == 202


def test_wrong_guesses_from_one_address_block_that_address_with_the_wait(client, member):
    assert send(client).status_code == 202
    for _ in range(5):
        assert "验证码不正确" in login(client, "000000").content.decode()
    r = client.post(
        "/api/v1/join",
        {"campaign": "x", "name": "王小明", "id_number": "11010519491231002X", "phone": PHONE,
         "sms_code": "246810", "industry": "food_delivery", "district": "tianning",
         "consent_version": "2026-01"},
        "application/json",
    )  # fmt: skip
    assert r.status_code == 400  # other fields wrong first: the campaign
    r = login(client, "246810")  # now even the right code is refused from here
    assert r.status_code == 429
    assert "验证码错误次数过多，请60分钟后再试" in r.content.decode()
    assert "member_id" not in client.session


def test_a_stranger_cannot_lock_out_a_member_signing_in_from_elsewhere(client, member, settings):
    """Requesting codes for the member's phone and burning them with wrong guesses spends the
    stranger's own allowance: the member, from another address, still signs in."""
    settings.SMS_MIN_INTERVAL_SECONDS = 0
    settings.SMS_BACKEND = "waystation.members.tests.test_sms_limits.SequenceBackend"
    stranger = Client(REMOTE_ADDR=STRANGER_IP)
    sent = [send(stranger).status_code for _ in range(6)]
    assert sent == [202] * 5 + [429]
    guessed = [login(stranger, "000000").status_code for _ in range(6)]
    assert guessed == [200] * 5 + [429]
    assert send(client).status_code == 202
    member_code = SequenceBackend.outbox[-1].split("码为 ")[1][:6]
    r = login(client, member_code)
    assert r.status_code == 302 and client.session["member_id"] == member.pk


def test_a_newer_code_requested_by_a_stranger_does_not_void_the_members(client, member, settings):
    settings.SMS_BACKEND = "waystation.members.tests.test_sms_limits.SequenceBackend"
    assert send(client).status_code == 202
    member_code = SequenceBackend.outbox[-1].split("码为 ")[1][:6]
    assert send(Client(REMOTE_ADDR=STRANGER_IP)).status_code == 202
    assert SequenceBackend.outbox[-1].split("码为 ")[1][:6] != member_code
    r = login(client, member_code)
    assert r.status_code == 302 and client.session["member_id"] == member.pk
    # one proof spends every live code of the phone
    assert not SmsCode.objects.filter(used_at__isnull=True).exists()


def test_a_code_dies_after_its_attempts_from_all_addresses_together(client, member, settings):
    settings.SMS_CODE_MAX_ATTEMPTS = 10
    settings.SMS_WRONG_GUESSES_PER_IP_PER_HOUR = 5
    assert send(client).status_code == 202
    for ip in (STRANGER_IP, OTHER_IP):
        guesser = Client(REMOTE_ADDR=ip)
        for _ in range(5):
            assert login(guesser, "000000").status_code == 200
    r = login(client, "246810")
    assert r.status_code == 200
    assert "错误次数过多，请重新获取验证码" in r.content.decode()
    assert Member.objects.get().pk == member.pk and "member_id" not in client.session

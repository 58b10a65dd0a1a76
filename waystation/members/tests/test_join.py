from datetime import timedelta

import pytest
from django.utils import timezone

from waystation.members.models import Campaign, Member, SmsCode
from waystation.members.sms import TestBackend
from waystation.privacy.models import AuditLog

ID = "11010519491231002X"


@pytest.fixture
def campaign(orgs):
    return Campaign.objects.create(code="street-1", name="街头扫码", unit=orgs["tianning"])


def payload(**over):
    data = {
        "campaign": "street-1",
        "name": "王小明",
        "id_number": ID,
        "phone": "13812345678",
        "sms_code": "246810",
        "industry": "food_delivery",
        "platform": "meituan",
        "district": "tianning",
        "consent_version": "2026-01",
    }
    data.update(over)
    return data


def send_code(client, phone="13812345678"):
    r = client.post("/api/v1/sms/send", {"phone": phone, "purpose": "join"}, "application/json")
    assert r.status_code == 202, r.content
    return r


def join(client, **over):
    return client.post("/api/v1/join", payload(**over), "application/json")


def test_join_creates_member_with_card_and_attribution(client, campaign):
    send_code(client)
    r = join(client)
    assert r.status_code == 201, r.content
    body = r.json()
    m = Member.objects.get(member_number=body["member_number"])
    assert body["status"] == "active" and body["card_url"].endswith("/me/card/")
    assert m.campaign == campaign and m.channel == "scan"
    assert m.union.industry_id == "food_delivery"
    assert [p.code for p in m.platforms.all()] == ["meituan"]
    assert m.id_number == ID and m.id_number_masked == "110***********002X"
    assert ID not in m.id_number_enc  # encrypted at rest
    assert AuditLog.objects.filter(action="member.join", object_id=str(m.pk)).exists()


def test_join_with_same_id_number_returns_existing_member(client, campaign):
    send_code(client)
    first = join(client).json()["member_number"]
    SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=5))  # pass the interval
    send_code(client)
    r = join(client, name="王小明")
    assert r.status_code == 200
    assert r.json()["member_number"] == first
    assert Member.objects.count() == 1


def test_join_rejects_wrong_sms_code(client, campaign):
    send_code(client)
    r = join(client, sms_code="000000")
    assert r.status_code == 400
    assert r.json()["errors"]["sms_code"] == ["验证码不正确"]
    assert Member.objects.count() == 0


def test_join_rejects_expired_sms_code(client, campaign):
    send_code(client)
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    r = join(client)
    assert r.status_code == 400
    assert "过期" in r.json()["errors"]["sms_code"][0]
    assert Member.objects.count() == 0


def test_join_rejects_replayed_sms_code(client, campaign):
    send_code(client)
    assert join(client).status_code == 201
    r = join(client, id_number="110105194912310011", name="李四")
    assert r.status_code == 400
    assert "已使用" in r.json()["errors"]["sms_code"][0]
    assert Member.objects.count() == 1


def test_join_without_requesting_a_code_is_refused(client, campaign):
    r = join(client)
    assert r.status_code == 400 and "sms_code" in r.json()["errors"]


def test_join_reports_every_bad_field_at_once_and_writes_nothing(client, campaign):
    send_code(client)
    r = join(
        client,
        id_number="110105194912310021",
        phone="12345",
        name="张3",
        industry="pilot",
        district="mars",
        consent_version="2019",
        campaign="nope",
    )
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert set(errors) >= {"id_number", "phone", "name", "industry", "district", "campaign",
                           "consent_version"}  # fmt: skip
    assert "校验位" in errors["id_number"][0]
    assert Member.objects.count() == 0
    # the code was not consumed by the failed attempt
    assert SmsCode.objects.filter(used_at__isnull=True).count() == 1


def test_join_with_missing_fields_is_400_not_422(client, campaign):
    r = client.post("/api/v1/join", {"name": "王"}, "application/json")
    assert r.status_code == 400
    assert r.json()["errors"]["id_number"] == ["此项为必填项 (required)"]


def test_sms_send_rejects_bad_phone(client, campaign):
    r = client.post("/api/v1/sms/send", {"phone": "12345"}, "application/json")
    assert r.status_code == 400 and "手机" in r.json()["errors"]["phone"][0]


def test_sms_codes_are_stored_hashed_and_messages_masked(client, campaign):
    TestBackend.outbox.clear()
    send_code(client)
    row = SmsCode.objects.get()
    assert "246810" not in row.code_hash and "13812345678" not in row.phone_hash
    assert TestBackend.outbox[-1][0] == "138****5678"


def test_join_page_flow_from_campaign_to_card(client, campaign):
    url = "/join/street-1/"
    assert client.get(url).status_code == 200
    form = {
        "name": "王小明",
        "id_number": ID,
        "phone": "13812345678",
        "industry": "express",
        "platforms": ["sf"],
        "district": "wujin",
        "consent": "on",
    }
    r = client.post(url, {**form, "action": "send_code"})
    assert r.status_code == 302 and SmsCode.objects.count() == 1
    r = client.post(url, {**form, "sms_code": "246810", "action": "join"}, follow=True)
    assert r.redirect_chain[-1][0] == "/me/card/"
    m = Member.objects.get()
    content = r.content.decode()
    assert m.member_number in content and "王小明" in content and ID not in content


def test_join_page_shows_errors_next_to_fields(client, campaign):
    r = client.post(
        "/join/street-1/",
        {"name": "王小明", "id_number": "110105194912310021", "phone": "13812345678",
         "industry": "express", "district": "wujin", "sms_code": "1", "action": "join"},
    )  # fmt: skip
    html = r.content.decode()
    assert "身份证号码校验位不正确" in html and "请阅读并同意个人信息保护告知书" in html
    assert Member.objects.count() == 0


def test_unknown_campaign_is_404_and_closed_campaign_410(client, campaign):
    assert client.get("/join/nope/").status_code == 404
    campaign.active = False
    campaign.save(update_fields=["active"])
    assert client.get("/join/street-1/").status_code == 410


def test_member_signs_in_with_phone_and_code(client, campaign):
    send_code(client)
    join(client)
    client.post("/me/logout/")
    assert client.get("/me/card/").status_code == 302
    SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    client.post("/me/login/", {"phone": "13812345678", "action": "send_code"})
    r = client.post("/me/login/", {"phone": "13812345678", "sms_code": "246810"}, follow=True)
    assert "王小明" in r.content.decode()


def test_unknown_phone_cannot_sign_in(client, orgs):
    client.post("/me/login/", {"phone": "13900000000", "action": "send_code"})
    r = client.post("/me/login/", {"phone": "13900000000", "sms_code": "246810"})
    assert "尚未入会" in r.content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/me/card/"])
def test_sign_in_never_redirects_off_site(client, campaign, target):
    send_code(client)
    join(client)
    client.post("/me/logout/")
    SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    client.post("/me/login/", {"phone": "13812345678", "action": "send_code"})
    r = client.post(f"/me/login/?next={target}", {"phone": "13812345678", "sms_code": "246810"})
    assert r.status_code == 302 and r["Location"] == "/me/card/"


def test_sign_in_follows_a_local_next(client, campaign):
    send_code(client)
    join(client)
    client.post("/me/logout/")
    SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    client.post("/me/login/", {"phone": "13812345678", "action": "send_code"})
    r = client.post("/me/login/?next=/me/aid/", {"phone": "13812345678", "sms_code": "246810"})
    assert r.status_code == 302 and r["Location"] == "/me/aid/"

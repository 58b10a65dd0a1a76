"""The aid API: claimant, platform token, city approval with Idempotency-Key; 400/404/409."""

import pytest
from django.test import Client

from waystation.accounts.models import Platform
from waystation.accounts.services import platform_token_issue
from waystation.aid import services
from waystation.aid.models import Payout
from waystation.core.models import IdempotencyKey
from waystation.members.middleware import SESSION_KEY


def member_client(member) -> Client:
    c = Client()
    s = c.session
    s[SESSION_KEY] = member.pk
    s.save()
    return c


@pytest.fixture
def meituan_token(orgs):
    return platform_token_issue(platform=Platform.objects.get(code="meituan"))


def body(enrolment, **over):
    data = {
        "enrolment": enrolment.pk,
        "incident_type": "accident",
        "incident_date": "2026-03-02",
        "incident_place": "天宁区延陵西路",
        "description": "送餐途中摔倒",
        "platform": "meituan",
        "asks": {"medical": {"amount": 320000}},
        "bank_name": "工商银行",
        "bank_card": "6222020200112233445",
    }
    data.update(over)
    return data


def test_member_files_a_claim(enrolment, rider):
    r = member_client(rider).post(
        "/api/v1/aid/claims", body(enrolment), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "submitted" and data["platform_status"] == "pending"
    assert data["bank_card"] == "6222***********3445"
    assert data["missing_documents"] == ["医疗费用发票", "诊断证明"]


def test_filing_needs_a_member_session(enrolment):
    r = Client().post("/api/v1/aid/claims", body(enrolment), content_type="application/json")
    assert r.status_code == 401


def test_bad_fields_answer_400_per_field(enrolment, rider):
    r = member_client(rider).post(
        "/api/v1/aid/claims",
        body(enrolment, incident_date="2025-01-01", bank_card="12"),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"incident_date", "bank_card"}
    r = member_client(rider).post("/api/v1/aid/claims", "{", content_type="application/json")
    assert r.status_code == 400


def test_claimant_sees_the_claim_others_get_404(claim, rider, other_rider, people, as_user):
    url = f"/api/v1/aid/claims/{claim.number}"
    assert member_client(rider).get(url).status_code == 200
    assert member_client(other_rider).get(url).status_code == 404
    assert as_user(people.alice).get(url).status_code == 200  # 天宁 district
    assert as_user(people.dora).get(url).status_code == 200  # 外卖 industry
    assert as_user(people.lily).get(url).status_code == 200  # 美团 liaison
    assert as_user(people.charlie).get(url).status_code == 404  # 钟楼 district
    assert as_user(people.olga).get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_liaison_of_another_platform_gets_404(claim, people, as_user):
    from waystation.accounts.models import StaffRole

    StaffRole.objects.filter(user=people.lily).update(platform=Platform.objects.get(code="eleme"))
    assert as_user(people.lily).get(f"/api/v1/aid/claims/{claim.number}").status_code == 404


def test_platform_confirms_with_its_token(claim, meituan_token):
    url = f"/api/v1/aid/claims/{claim.number}/platform-confirmation"
    r = Client().post(
        url,
        {"working": True, "note": "事发时在线接单"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {meituan_token}"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["platform_status"] == "confirmed"


def test_wrong_token_401_other_platform_404(claim, meituan_token):
    url = f"/api/v1/aid/claims/{claim.number}/platform-confirmation"
    r = Client().post(
        url,
        {"working": True},
        content_type="application/json",
        headers={"Authorization": "Bearer nope"},
    )
    assert r.status_code == 401
    eleme = platform_token_issue(platform=Platform.objects.get(code="eleme"))
    r = Client().post(
        url,
        {"working": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {eleme}"},
    )
    assert r.status_code == 404


def test_confirming_a_closed_claim_is_409(claim, people, meituan_token):
    services.claim_reject(claim=claim, actor=people.alice, reason="重复报案")
    r = Client().post(
        f"/api/v1/aid/claims/{claim.number}/platform-confirmation",
        {"working": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {meituan_token}"},
    )
    assert r.status_code == 409


def test_approve_is_idempotent_by_key(ready_claim, people, as_user):
    c = as_user(people.carl)
    url = f"/api/v1/aid/claims/{ready_claim.number}/approve"
    r1 = c.post(url, {}, content_type="application/json", headers={"Idempotency-Key": "k-1"})
    assert r1.status_code == 200, r1.content
    r2 = c.post(url, {}, content_type="application/json", headers={"Idempotency-Key": "k-1"})
    assert r2.json() == r1.json()
    assert r1.json()["payout"]["amount_fen"] == 263000
    r3 = c.post(
        url,
        {"override_fen": 1},
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert r3.status_code == 409
    r4 = c.post(url, {}, content_type="application/json", headers={"Idempotency-Key": "k-2"})
    assert r4.json()["payout"]["id"] == r1.json()["payout"]["id"]
    assert Payout.objects.count() == 1 and IdempotencyKey.objects.count() == 2


def test_approve_errors(claim, ready_claim, people, as_user):
    url = f"/api/v1/aid/claims/{ready_claim.number}/approve"
    h = {"Idempotency-Key": "x"}
    assert as_user(people.carl).post(url, {}, content_type="application/json").status_code == 400
    # alice sees the claim but may not approve it, charlie does not see it: one answer for both
    # (404, never 403), so the answer does not tell whether the claim exists
    for outsider in (people.alice, people.charlie):
        r = as_user(outsider).post(url, {}, content_type="application/json", headers=h)
        assert (r.status_code, r.json()) == (404, {"detail": "未找到 (not found)"})
    assert Client().post(url, {}, content_type="application/json", headers=h).status_code == 401
    r = as_user(people.carl).post(
        url,
        {"override_fen": 100},
        content_type="application/json",
        headers={"Idempotency-Key": "y"},
    )
    assert r.status_code == 400 and "override_reason" in r.json()["errors"]


def test_approving_an_unreviewed_claim_is_409(claim, people, as_user):
    r = as_user(people.carl).post(
        f"/api/v1/aid/claims/{claim.number}/approve",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "z"},
    )
    assert r.status_code == 409

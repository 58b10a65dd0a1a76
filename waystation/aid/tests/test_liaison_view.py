"""A platform liaison confirms on-duty status from the claimant's name and the incident's date and
place: it sees those and nothing else of the claim (no bank, no card, no description), on its
pages, through the API with its session and through the platform token. Union staff see all."""

import pytest
from django.test import Client

from waystation.accounts.models import Platform
from waystation.accounts.services import platform_token_issue
from waystation.aid import services

BANK = "中国工商银行"
CARD_MASKED = "6222***********3445"
DESCRIPTION = "送餐途中电动车滑倒，左腿擦伤"
LIAISON_FIELDS = {
    "number",
    "name",
    "incident_date",
    "incident_place",
    "platform",
    "platform_status",
    "platform_note",
}


def _none_of_the_hidden(text: str) -> bool:
    return all(secret not in text for secret in (BANK, CARD_MASKED, DESCRIPTION))


def test_the_claim_fixture_carries_what_must_stay_hidden(claim):
    assert (claim.bank_name, claim.bank_card_masked, claim.description) == (
        BANK,
        CARD_MASKED,
        DESCRIPTION,
    )


@pytest.mark.parametrize("page", ["/staff/aid/claims/", "/staff/aid/claims/{number}/"])
def test_liaison_pages_show_name_date_and_place_only(claim, people, as_user, page):
    r = as_user(people.lily).get(page.format(number=claim.number))
    html = r.content.decode()
    assert r.status_code == 200
    assert claim.number in html and claim.member.name in html
    assert "2026-03-02" in html and "天宁区延陵西路" in html
    assert _none_of_the_hidden(html)
    assert claim.member.member_number not in html


def test_union_staff_still_see_bank_card_and_description(claim, people, as_user):
    html = as_user(people.alice).get(f"/staff/aid/claims/{claim.number}/").content.decode()
    assert BANK in html and CARD_MASKED in html and DESCRIPTION in html


def test_liaison_session_api_answers_name_date_and_place_only(claim, people, as_user):
    r = as_user(people.lily).get(f"/api/v1/aid/claims/{claim.number}")
    assert r.status_code == 200
    assert set(r.json()) == LIAISON_FIELDS
    assert r.json()["name"] == claim.member.name
    assert r.json()["incident_place"] == "天宁区延陵西路"
    assert _none_of_the_hidden(r.content.decode())


def test_union_staff_api_still_answers_the_masked_card(claim, people, as_user):
    r = as_user(people.alice).get(f"/api/v1/aid/claims/{claim.number}")
    assert r.status_code == 200 and r.json()["bank_card"] == CARD_MASKED


def test_platform_token_confirmation_answers_name_date_and_place_only(claim):
    token = platform_token_issue(platform=Platform.objects.get(code="meituan"))
    r = Client().post(
        f"/api/v1/aid/claims/{claim.number}/platform-confirmation",
        {"working": True, "note": "事发时在线接单"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200
    assert set(r.json()) == LIAISON_FIELDS
    assert (r.json()["platform_status"], r.json()["platform_note"]) == (
        "confirmed",
        "事发时在线接单",
    )
    assert _none_of_the_hidden(r.content.decode())


def test_liaison_still_confirms_from_its_page(claim, people, as_user):
    r = as_user(people.lily).post(
        f"/staff/aid/claims/{claim.number}/confirm/", {"working": "no", "note": "当日未上线"}
    )
    assert r.status_code == 302
    claim.refresh_from_db()
    assert (claim.platform_status, claim.platform_note) == ("denied", "当日未上线")


def test_liaison_confirming_a_closed_claim_sees_why_on_its_own_page(claim, people, as_user):
    services.claim_reject(claim=claim, actor=people.alice, reason="重复报案")
    r = as_user(people.lily).post(f"/staff/aid/claims/{claim.number}/confirm/", {"working": "yes"})
    html = r.content.decode()
    assert r.status_code == 409
    assert '<li class="error">该申请已审结，不能再确认</li>' in html
    assert _none_of_the_hidden(html) and "重复报案" not in html

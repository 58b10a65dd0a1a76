"""Headless Chromium, at 390×844 for the member and 1440×900 for staff: the plan's terms and the
confirmation before joining, the claim's step bar, the staff's disabled step with its reason,
the confirmation before approving money, the bank template on the payouts page. Screenshots go
to /tmp/shots-aid18/ to be looked at."""

from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from waystation.aid import services
from waystation.aid.tests.conftest import claim_data, make_ready, report_claim
from waystation.aid.tests.test_api import member_client
from waystation.aid.tests.test_browser import _cookie

SHOTS = Path("/tmp/shots-aid18")  # noqa: S108  (looked at by people, not read back)


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def tap_height(page, selector: str) -> float:
    return page.eval_on_selector(selector, "e => e.getBoundingClientRect().height")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_reads_the_terms_confirms_and_follows_a_claim(
    live_server, phone_page, people, plans, rider
):
    page = phone_page
    _cookie(page, live_server, member_client(rider))
    page.goto(f"{live_server.url}/me/aid/")
    terms = page.inner_text(f"#plan-{plans['accident'].code}")
    assert "工会赠送，本人不缴费" in terms and "意外医疗费：扣除免赔额 ¥100 后报销 80%" in terms
    shot(page, "phone-my-aid-terms")
    page.click(f"#plan-{plans['accident'].code} button")
    page.wait_for_selector("#confirm")
    assert "确认参加" in page.inner_text("#confirm h2")
    assert tap_height(page, "#confirm-yes") >= 44 and tap_height(page, "#confirm-back") >= 44
    shot(page, "phone-enrol-confirm")
    page.click("#confirm-yes")
    page.wait_for_selector(".messages li.success")
    assert "已参加" in page.inner_text(".messages")
    assert rider.aid_enrolments.count() == 1

    enrolment = rider.aid_enrolments.get()
    claim = report_claim(rider, claim_data(enrolment, incident_date=timezone.localdate()))
    make_ready(claim, people.alice)
    payout = services.claim_approve(claim=claim, actor=people.carl)
    services.payout_batch_export(actor=people.carl, payouts=[payout])
    page.goto(f"{live_server.url}/me/aid/claims/{claim.number}/")
    current = page.inner_text("#claim-steps li[aria-current=step]")
    assert "打款" in current and "银行打款中" in current
    assert page.locator("#claim-steps li.step.done").count() == 4
    shot(page, "phone-claim-steps")
    page.goto(f"{live_server.url}/me/aid/")
    assert "银行打款中" in page.inner_text("#my-claims")
    shot(page, "phone-my-aid-claims")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_see_why_a_step_waits_and_confirm_money(
    live_server, desk_page, people, plans, rider, enrolment
):
    page = desk_page
    page.set_viewport_size({"width": 1440, "height": 900})
    claim = report_claim(rider, claim_data(enrolment))
    alice = Client()
    alice.force_login(people.alice)
    _cookie(page, live_server, alice)
    page.goto(f"{live_server.url}/staff/aid/claims/{claim.number}/")
    assert page.is_disabled("#review-pass")
    assert "缺少材料：医疗费用发票、诊断证明" in page.inner_text("#review-blocked")
    assert "意外医疗费：费用 ¥3,200" in page.inner_text("#assessed")
    shot(page, "desk-claim-blocked")

    make_ready(claim, people.alice)
    carl = Client()
    carl.force_login(people.carl)
    page.context.clear_cookies()
    _cookie(page, live_server, carl)
    page.goto(f"{live_server.url}/staff/aid/claims/{claim.number}/")
    shot(page, "desk-claim-ready")
    page.click("#approve")
    page.wait_for_selector("#confirm")
    assert "确认批准给付 ¥2,630" in page.inner_text("#confirm")
    shot(page, "desk-approve-confirm")
    page.click("#confirm-yes")
    page.wait_for_selector("#approved-amount")

    page.goto(f"{live_server.url}/staff/aid/payouts/")
    page.select_option("#bank-template", "icbc")
    assert "2,630.00" in page.inner_text("#payout-table")
    assert "导出银行文件后可标记已支付或失败" in page.inner_text("#payout-table")
    shot(page, "desk-payouts")

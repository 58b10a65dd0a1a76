"""Headless Chromium: a member files a claim with a document on a phone; staff review and
approve; the member sees the amount."""

import pytest
from django.test import Client
from django.utils import timezone

from waystation.aid import services
from waystation.aid.models import Claim
from waystation.aid.tests.test_api import member_client


def _cookie(page, live_server, client: Client) -> None:
    from django.conf import settings

    sid = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": sid, "url": live_server.url}]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_files_claim_staff_approve_member_sees_amount(
    live_server, phone_page, desk_page, people, plans, rider, tmp_path
):
    services.enrolment_self(member=rider, plan=plans["accident"])
    _cookie(phone_page, live_server, member_client(rider))
    phone_page.goto(f"{live_server.url}/me/aid/")
    phone_page.click("#report-claim")
    phone_page.select_option("#id_incident_type", "accident")
    phone_page.fill("#id_incident_date", timezone.localdate().isoformat())
    phone_page.fill("#id_incident_place", "天宁区延陵西路")
    phone_page.fill("#id_description", "送餐途中电动车滑倒")
    phone_page.select_option("#id_platform", "meituan")
    phone_page.fill("#id_medical_yuan", "3200")
    phone_page.fill("#id_bank_name", "中国工商银行")
    phone_page.fill("#id_bank_card", "6222020200112233445")
    phone_page.click("#claim-form button[type=submit]")
    phone_page.wait_for_selector("#upload-form")
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%demo\n")
    for doc_type in ("invoice", "diagnosis"):
        phone_page.select_option("#id_doc_type", doc_type)
        phone_page.set_input_files("#id_file", str(pdf))
        phone_page.click("#upload-form button[type=submit]")
        phone_page.wait_for_selector("#upload-form")
    claim = Claim.objects.get()
    assert claim.documents.count() == 2

    services.claim_platform_confirm(
        claim=claim, platform=claim.platform, working=True, actor=people.lily
    )
    alice, carl = Client(), Client()
    alice.force_login(people.alice)
    carl.force_login(people.carl)
    _cookie(desk_page, live_server, alice)
    desk_page.goto(f"{live_server.url}/staff/aid/claims/{claim.number}/")
    desk_page.click("#review-pass")
    desk_page.wait_for_selector("text=待市级审批")
    desk_page.context.clear_cookies()
    _cookie(desk_page, live_server, carl)
    desk_page.goto(f"{live_server.url}/staff/aid/claims/{claim.number}/")
    desk_page.click("#approve")
    desk_page.wait_for_selector("#confirm")
    assert "确认批准给付 ¥2,480" in desk_page.inner_text("#confirm")
    desk_page.click("#confirm-yes")
    desk_page.wait_for_selector("#approved-amount")
    assert desk_page.inner_text("#approved-amount") == "¥2,480"

    phone_page.goto(f"{live_server.url}/me/aid/claims/{claim.number}/")
    assert "¥2,480" in phone_page.inner_text("#claim-amount")
    assert "免赔 ¥100" in phone_page.inner_text("#claim-amount")

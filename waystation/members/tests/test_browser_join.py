"""Scan-to-join in real headless Chromium at a phone's viewport: campaign page → SMS code →
form → electronic card."""

import pytest

from waystation.members.models import Campaign, Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_joins_from_campaign_page_to_card_on_a_phone(live_server, phone_page, orgs):
    Campaign.objects.create(code="street-1", name="南大街扫码入会", unit=orgs["tianning"])
    page = phone_page
    page.goto(f"{live_server.url}/join/street-1/")
    assert "南大街扫码入会" in page.content()

    page.fill("#id_name", "王小明")
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_phone", "138 1234 5678")
    page.select_option("#id_industry", "food_delivery")
    page.check("input[name=platforms][value=meituan]")
    page.select_option("#id_district", "tianning")
    page.check("#id_consent")
    page.click("button[value=send_code]")
    page.wait_for_selector("text=验证码已发送")
    # what was typed survives the round trip
    assert page.input_value("#id_name") == "王小明"

    page.fill("#id_sms_code", "000000")
    page.check("#id_consent")
    page.check("input[name=platforms][value=meituan]")
    page.click("button[value=join]")
    page.wait_for_selector("text=验证码不正确")
    assert Member.objects.count() == 0

    page.fill("#id_sms_code", "246810")
    page.check("#id_consent")
    page.check("input[name=platforms][value=meituan]")
    page.click("button[value=join]")
    page.wait_for_selector("#member-card")
    page.wait_for_load_state("load")
    member = Member.objects.get()
    card = page.inner_text("#member-card")
    assert member.member_number in card and "王小明" in card and "外卖送餐" in card
    assert "11010519491231002X" not in page.content()
    # the QR image is fetched by the page's script and rendered
    page.wait_for_function("document.getElementById('card-qr-img').naturalWidth > 0")
    # nothing overflows the phone's width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

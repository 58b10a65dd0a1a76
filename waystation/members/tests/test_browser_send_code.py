""" "获取验证码" on a phone (Chromium, 390 px): the script asks the API, shows errors beside their
fields without leaving the page, and counts down until another code may be requested; without
script the plain form post does the same job."""

import re

import pytest

from waystation.members.models import Campaign, SmsCode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON = "button[value=send_code]"


@pytest.fixture
def join_url(live_server, orgs):
    Campaign.objects.create(code="street-1", name="南大街扫码入会", unit=orgs["tianning"])
    return f"{live_server.url}/join/street-1/"


def fill(page, id_number="11010519491231002X"):
    page.fill("#id_name", "王小明")
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", "13812345678")
    page.select_option("#id_industry", "food_delivery")
    page.check("input[name=platforms][value=meituan]")
    page.select_option("#id_district", "tianning")


def test_send_code_counts_down_until_a_resend_is_allowed(phone_page, join_url):
    page = phone_page
    page.clock.install()
    page.goto(join_url)
    fill(page)
    page.click(BUTTON)
    page.wait_for_selector("text=验证码已发送")
    button = page.locator(BUTTON)
    assert button.is_disabled() and button.inner_text() == "60秒后重新获取"
    assert page.url == join_url  # no page load: nothing typed was touched
    assert SmsCode.objects.count() == 1
    page.clock.fast_forward(30_000)
    assert re.fullmatch(r"3[01]秒后重新获取", button.inner_text())
    page.clock.fast_forward(31_000)
    page.wait_for_function("!document.querySelector('button[value=send_code]').disabled")
    assert button.inner_text() == "获取验证码"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_bad_id_number_is_shown_beside_it_and_no_code_is_sent(phone_page, join_url):
    page = phone_page
    page.goto(join_url)
    fill(page, id_number="110105194912310021")
    page.click(BUTTON)
    page.wait_for_selector("#err-id_number li")
    assert page.inner_text("#err-id_number") == "身份证号码校验位不正确，请核对"
    assert page.locator(BUTTON).is_enabled()
    assert page.input_value("#id_name") == "王小明"
    assert SmsCode.objects.count() == 0


def test_a_second_request_too_soon_counts_down_the_wait(phone_page, join_url):
    page = phone_page
    page.goto(join_url)
    fill(page)
    page.click(BUTTON)
    page.wait_for_selector("text=验证码已发送")
    page.reload()  # the page drawn again picks the countdown up where it stands
    button = page.locator(BUTTON)
    page.wait_for_function("document.querySelector('button[value=send_code]').disabled")
    assert re.fullmatch(r"\d+秒后重新获取", button.inner_text())


def test_without_script_the_form_post_sends_and_keeps_the_input(browser, join_url):
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="zh-CN"
    )
    page = ctx.new_page()
    try:
        page.goto(join_url)
        fill(page)
        page.check("#id_consent")
        page.click(BUTTON)
        page.wait_for_selector("text=验证码已发送，10分钟内有效")
        assert page.url == join_url  # redirected back: a reload will not send again
        assert page.input_value("#id_id_number") == "11010519491231002X"
        assert page.is_checked("input[name=platforms][value=meituan]")
        assert page.is_checked("#id_consent")
        assert SmsCode.objects.count() == 1
    finally:
        ctx.close()


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_back_after_joining_shows_the_join_page_not_a_resubmission(browser, join_url, script):
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=script, locale="zh-CN"
    )
    page = ctx.new_page()
    try:
        page.goto(join_url)
        fill(page)
        page.click(BUTTON)
        page.wait_for_selector("text=验证码已发送")
        page.fill("#id_sms_code", "246810")
        page.check("#id_consent")
        page.click("button[value=join]")
        page.wait_for_selector("#member-card")
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.method))
        page.go_back()
        page.wait_for_selector("h1:has-text('加入工会')")
        assert page.url == join_url
        assert "POST" not in requests  # nothing was posted again, no resubmission prompt
    finally:
        ctx.close()

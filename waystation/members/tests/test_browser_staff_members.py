"""Headless Chromium at a desktop's 1440 × 900: staff find a member by name on the list (the
name never in the address bar), change the order, the page size and jump to a page; the
member's page shows the history and controls that start at 不变."""

import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from waystation.members import services
from waystation.members.tests.factories import make_member

SHOTS = Path(tempfile.gettempdir()) / "shots-members18"  # looked at by a person, not compared


@pytest.fixture
def wide_page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15000)
    yield page
    ctx.close()


def _sign_in(page, live_server, user) -> None:
    c = Client()
    c.force_login(user)
    sid = c.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": sid, "url": live_server.url}]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_find_a_member_by_name_and_read_the_history(live_server, wide_page, people, orgs):
    SHOTS.mkdir(exist_ok=True)
    for i in range(45):
        make_member(name=f"骑手{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'一二三四五'[i // 10]}")
    zhang = make_member(name="张三")
    services.member_transfer(
        member=zhang, union=orgs["tianning"], reason="转入区总工会", actor=people.carl
    )
    services.member_set_status(
        member=zhang, status="lapsed", reason="长期未缴费", actor=people.alice
    )
    page = wide_page
    _sign_in(page, live_server, people.alice)

    page.goto(f"{live_server.url}/staff/members/")
    page.select_option("#f-size", "20")
    page.select_option("#f-sort", "number_asc")
    page.click("#member-order button")
    page.wait_for_url(lambda u: "size=20" in u)
    assert page.locator("#member-table tbody tr").count() == 20
    page.fill("#jump-page", "3")
    page.click("#page-jump button")
    page.wait_for_url(lambda u: "page=3" in u)
    assert page.locator("#member-table tbody tr").count() == 6  # 46 members, 20 a page
    assert "第 3 / 3 页" in page.inner_text(".pager")
    page.screenshot(path=str(SHOTS / "list-page-3.png"), full_page=True)

    page.fill("#member-q", "张　三")  # a full-width space typed in the middle
    page.click("#member-search button")
    page.wait_for_url(lambda u: "nh=" in u)
    assert "张" not in page.url and "%E5%BC%A0" not in page.url
    assert page.locator("#member-table tbody tr").count() == 1
    assert "size=20" in page.url and "sort=number_asc" in page.url  # the order and size stay
    page.screenshot(path=str(SHOTS / "list-found.png"), full_page=True)

    page.click(f"text={zhang.member_number}")
    page.wait_for_selector("#history")
    kinds = page.locator("#history .kind").all_inner_texts()
    assert kinds == ["状态变更", "转会", "入会"]
    assert page.input_value("#id_status") == ""
    assert page.input_value("#transfer-union") == ""
    assert page.locator("#transfer-union option:checked").inner_text() == "不变"
    page.screenshot(path=str(SHOTS / "detail.png"), full_page=True)

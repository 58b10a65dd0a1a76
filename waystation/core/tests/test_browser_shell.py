"""The shell in real headless Chromium, at a phone's 390×844 and a desk's 1440×900: the rider's
home grid, the workbench per role, the grouped navigation, the focus ring, and the service
worker's offline copies of the e-card and the last nearest-station list (context.set_offline).
Screenshots go to /tmp/shots-shell/."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from waystation.core.services import notice_save
from waystation.core.tests.test_home import HOURS
from waystation.members.tests.factories import make_member
from waystation.stations import index
from waystation.stations import services as station_services
from waystation.stations.models import FaultReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-shell")  # noqa: S108 - screenshots to look at, not secrets


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def wide_page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15000)
    yield page
    ctx.close()


def sign_in_staff(page, live_server, username):
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")


def sign_in_member(page, live_server, phone):
    page.goto(f"{live_server.url}/me/login/")
    page.fill("#id_phone", phone)
    page.click("button[value=send_code]")
    page.wait_for_selector("text=验证码已发送")
    page.fill("#id_sms_code", "246810")
    page.click("button[value=login]")
    page.wait_for_url(lambda url: "/me/login/" not in url)


def contrast(page, selector):
    """The WCAG contrast ratio of an element's text against its own background."""
    return page.eval_on_selector(
        selector,
        """el => {
          const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
          const lum = c => { const v = c.map(x => { x /= 255;
              return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
          const st = getComputedStyle(el);
          const [a, b] = [lum(rgb(st.color)), lum(rgb(st.backgroundColor))].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        }""",
    )


def test_a_rider_sees_the_service_grid_and_notices_on_a_phone(live_server, phone_page, people):
    notice_save(
        actor=people.carl,
        city=people.carl.roles.get().unit.city,
        title="高温天气驿站延长开放",
        body="7月起各驿站开放至22:00。",
        published=True,
    )
    page = phone_page
    page.goto(live_server.url + "/")
    tiles = page.locator("#service-grid .tile")
    assert tiles.all_inner_texts() == ["入会", "找驿站", "互助保障"]
    for box in (tiles.nth(i).bounding_box() for i in range(3)):
        assert box["height"] >= 44 and box["width"] >= 44
    # three across a 390 px screen, no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "高温天气驿站延长开放" in page.inner_text("#notices")
    shot(page, "home-visitor-390")


def test_a_signed_in_member_sees_her_card_and_her_reports_on_the_home(
    live_server, phone_page, people
):
    member = make_member(name="王芳", phone="13912345678")
    s = station_services.station_create(
        code="TN001", lon=119.99, lat=31.78, data={"name": "红梅驿站", "weekly_hours": HOURS},
        actor=people.carl,
    )  # fmt: skip
    station_services.report_create(station=s, category="water", member=member)
    page = phone_page
    sign_in_member(page, live_server, "13912345678")
    page.goto(live_server.url + "/")
    assert "王芳" in page.inner_text("#member-state")
    grid = page.inner_text("#service-grid")
    assert "我的会员卡" in grid and "我报告的故障 1 件处理中" in grid and "入会" not in grid
    shot(page, "home-member-390")


def test_the_pills_and_the_focus_ring_can_be_seen(live_server, phone_page, people):
    page = phone_page
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => { for (const k of ["ok", "warn", "bad"]) {
             const s = document.createElement("span");
             s.className = "pill " + k; s.id = "pill-" + k; s.textContent = "正常";
             document.querySelector("main").append(s); } }"""
    )
    for kind in ("ok", "warn", "bad"):
        assert contrast(page, f"#pill-{kind}") >= 4.5, kind
    page.keyboard.press("Tab")  # the skip link, then the brand
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    width = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert (outline, width) == ("solid", "3px")


@pytest.fixture
def overdue_report(people, kim):
    s = station_services.station_create(
        code="TN001", lon=119.99, lat=31.78, data={"name": "红梅驿站", "weekly_hours": HOURS},
        actor=people.carl,
    )  # fmt: skip
    s.keepers.add(kim)
    r = station_services.report_create(station=s, category="water")
    FaultReport.objects.filter(pk=r.pk).update(created_at=timezone.now() - timedelta(days=3))
    return r


@pytest.mark.parametrize(
    ("who", "groups", "first_todo"),
    [
        ("alice", ["会员", "驿站", "互助", "规划"], "故障报告待处理"),
        ("admin", ["会员", "驿站", "互助", "规划", "系统"], "故障报告待处理"),
        ("kim", ["会员", "驿站"], "故障报告待处理"),
        ("lily", ["互助"], "理赔待本平台确认在岗"),
    ],
)
def test_each_role_opens_on_its_own_todos_and_grouped_navigation_on_a_desk(
    who, groups, first_todo, live_server, wide_page, people, kim, overdue_report
):
    page = wide_page
    sign_in_staff(page, live_server, who)
    assert page.locator("#staff-nav .nav-group h2").all_inner_texts() == groups
    assert page.locator("#staff-nav summary").is_hidden()  # a sidebar on a desk
    # what waits comes first, as a card; the rest on one line of links
    assert page.locator("#todos .todo-label").first.inner_text() == first_todo
    if who in ("alice", "kim"):
        row = page.locator("[data-todo='stations.reports']")
        assert row.locator(".todo-n").inner_text() == "1" and "1 件逾期" in row.inner_text()
        row.locator("a").click()
        page.wait_for_url("**/staff/stations/reports/")
        assert page.locator("#staff-nav a.current").inner_text() == "故障报告"
        page.go_back()
    shot(page, f"workbench-{who}-1440")


def test_the_staff_menu_folds_on_a_phone_and_opens_on_a_tap(live_server, phone_page, people):
    page = phone_page
    sign_in_staff(page, live_server, "alice")
    assert page.locator("#staff-nav .nav-group").first.is_hidden()
    shot(page, "workbench-alice-390")
    page.click("#staff-nav summary")
    assert page.locator("#staff-nav .nav-group h2").all_inner_texts() == [
        "会员",
        "驿站",
        "互助",
        "规划",
    ]
    shot(page, "workbench-alice-390-menu")


def no_signal(page):
    """No signal: the browser context offline, the service worker's own requests included
    (PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS, set in conftest.py)."""
    page.context.set_offline(True)


def worker_in_control(page, live_server):
    page.goto(f"{live_server.url}/")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == live_server.url + "/"
    page.wait_for_function("navigator.serviceWorker.controller !== null")  # clients.claim()


@pytest.fixture
def station_and_rider(people):
    station_services.station_create(
        code="TN001", lon=119.99, lat=31.78, data={"name": "红梅驿站", "weekly_hours": HOURS},
        actor=people.carl,
    )  # fmt: skip
    index.station_index()  # committed rows: the index is rebuilt in the background
    assert index.rebuild_wait(timeout=30)
    return make_member(name="王芳", phone="13912345678")


def test_the_card_and_the_last_nearest_list_open_with_no_signal(
    live_server, phone_page, station_and_rider
):
    page = phone_page
    worker_in_control(page, live_server)
    sign_in_member(page, live_server, "13912345678")
    page.goto(f"{live_server.url}/me/card/")
    assert "王芳" in page.inner_text("#member-card")
    page.goto(f"{live_server.url}/stations/nearest/?lon=119.99&lat=31.78&datum=gcj02")
    assert "红梅驿站" in page.inner_text(".nearest-list")
    assert page.locator("#offline-banner").is_hidden()

    no_signal(page)
    page.goto(f"{live_server.url}/me/card/")
    assert "王芳" in page.inner_text("#member-card")
    banner = page.locator("#offline-banner")
    assert banner.is_visible() and "离线" in banner.inner_text()
    assert "保存的内容" in banner.inner_text()  # and when it was saved
    assert page.evaluate("document.querySelector('#member-card img').naturalWidth") > 0  # its QR
    shot(page, "card-offline-390")
    page.goto(f"{live_server.url}/stations/nearest/?lon=119.5&lat=31.5")  # another point
    assert "红梅驿站" in page.inner_text(".nearest-list")  # the last list opened
    assert "保存的内容" in page.inner_text("#offline-banner")
    shot(page, "nearest-offline-390")
    page.goto(f"{live_server.url}/")
    assert page.locator("#service-grid .tile").count() == 3 and banner.is_visible()
    page.goto(f"{live_server.url}/staff/members/")  # never saved: the offline page
    assert "现在没有网络" in page.inner_text("h1")
    shot(page, "offline-page-390")


def test_signing_out_drops_the_saved_card(live_server, phone_page, station_and_rider):
    page = phone_page
    worker_in_control(page, live_server)
    sign_in_member(page, live_server, "13912345678")
    page.goto(f"{live_server.url}/me/card/")
    saved = "caches.open('ws-personal').then(c => c.keys()).then(ks => ks.map(r => new URL(r.url).pathname))"  # noqa: E501
    assert "/me/card/" in page.evaluate(saved)
    page.click("a[href='/me/logout/']")  # the card links to a page that asks to confirm
    page.click("form[action='/me/logout/'] button")
    page.wait_for_url("**/me/login/")
    assert page.evaluate(saved) == []
    no_signal(page)
    page.goto(f"{live_server.url}/me/card/")  # a shared phone does not keep her card
    assert "现在没有网络" in page.inner_text("h1")


def test_the_home_grid_stays_a_grid_on_a_desk(live_server, wide_page, orgs):
    page = wide_page
    page.goto(live_server.url + "/")
    boxes = [t.bounding_box() for t in page.locator("#service-grid .tile").all()]
    assert len({round(b["y"]) for b in boxes}) == 1  # one row of tiles, four across at most
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    shot(page, "home-visitor-1440")

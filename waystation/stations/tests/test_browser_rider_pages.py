"""A rider on a 390 × 844 phone (and the same pages at 1440 × 900): the nearest list with a
导航 to each station, the station page with its distance, a closed station pointing elsewhere,
the no-script picker, and 我的反馈. Screenshots go to /tmp/shots-stations18/."""

import tempfile
from pathlib import Path

import pytest

from waystation.members.middleware import SESSION_KEY
from waystation.stations import index, services

pytestmark = pytest.mark.browser

# screenshots to look at (the brief: /tmp/shots-stations18); never read back by the tests
SHOTS = Path(tempfile.gettempdir()) / "shots-stations18"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESK = {"viewport": {"width": 1440, "height": 900}}


def _page(browser, size, **extra):
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **size, **extra)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _stations(make_station):
    make_station(
        "TN001",
        name="青洋北路驿站",
        lon=119.99,
        lat=31.78,
        is_24h=True,
        address="常州市天宁区青洋北路88号",
    )
    make_station(
        "TN002",
        name="红梅公园驿站",
        lon=120.01,
        lat=31.79,
        is_24h=True,
        address="常州市天宁区红梅路5号",
    )
    make_station(
        "TN003",
        name="老城驿站",
        lon=119.992,
        lat=31.7805,
        is_24h=True,
        status="closed",
        address="常州市天宁区延陵西路1号",
    )
    index.station_index()  # committed rows: the index is rebuilt in the background
    assert index.rebuild_wait(timeout=30)


@pytest.mark.parametrize(("size", "label"), [(PHONE, "phone"), (DESK, "desk")])
def test_the_nearest_cards_offer_navigation_in_three_apps_and_the_page_shows_the_distance(
    transactional_db, live_server, browser, make_station, size, label
):
    _stations(make_station)
    page = _page(
        browser,
        size,
        permissions=["geolocation"],
        geolocation={"longitude": 119.975, "latitude": 31.772},
    )
    page.goto(f"{live_server.url}/stations/")
    assert page.locator("#find-nearest svg").count() == 1
    page.click("#find-nearest")
    first = page.locator(".station-hit").first
    first.wait_for()
    text = first.inner_text()
    assert "青洋北路驿站" in text and "公里" in text  # about 1.6 km
    assert "老城驿站" not in page.inner_text("#nearest-list")  # closed: not in the list
    links = first.locator("a.nav-app")
    assert links.count() == 3
    assert "uri.amap.com/navigation" in links.nth(0).get_attribute("href")
    assert "coord_type=gcj02" in links.nth(1).get_attribute("href")
    assert "apis.map.qq.com/uri/v1/routeplan" in links.nth(2).get_attribute("href")
    for i in range(3):
        assert links.nth(i).bounding_box()["height"] >= 44  # a tap target
    attribution = page.inner_html(".leaflet-control-attribution")
    assert "<svg" not in attribution and "Leaflet" in attribution  # no flag in the prefix
    _no_sideways_scroll(page)
    _shot(page, f"nearest-{label}")

    first.locator("a.hit-name").click()
    page.wait_for_url("**/stations/TN001/")
    distance = page.locator("#station-distance")
    distance.wait_for()
    assert "公里" in distance.inner_text()
    assert page.locator(".station-nav a.nav-app").count() == 3
    _no_sideways_scroll(page)
    _shot(page, f"station-{label}")
    page.context.close()


def test_a_closed_station_on_a_phone_points_to_the_nearest_open_one(
    transactional_db, live_server, browser, make_station
):
    _stations(make_station)
    page = _page(browser, PHONE)
    page.goto(f"{live_server.url}/stations/TN003/")
    assert "本驿站已关闭" in page.inner_text("#station-closed")
    assert "青洋北路驿站" in page.inner_text("#instead")
    assert page.locator("#checkin-link").count() == 0
    _no_sideways_scroll(page)
    _shot(page, "closed-phone")
    page.context.close()


def test_without_script_a_rider_picks_a_district_and_a_road(
    transactional_db, live_server, browser, make_station
):
    _stations(make_station)
    page = _page(browser, PHONE, java_script_enabled=False)
    page.goto(f"{live_server.url}/stations/nearest/")
    page.select_option("#nearest-district", "tianning")
    page.click("#nearest-form button")
    page.select_option("#nearest-place", "红梅路")
    page.click("#nearest-form button")
    first = page.locator("#nearest-results .station-hit").first
    assert "红梅公园驿站" in first.inner_text()
    assert first.locator("a.nav-app").count() == 3
    assert page.input_value("#nearest-place") == "红梅路"  # the choice is kept
    _no_sideways_scroll(page)
    _shot(page, "nearest-noscript-phone")
    page.context.close()


def test_a_member_follows_a_report_on_my_reports(
    transactional_db, live_server, browser, make_station, member, people
):
    _stations(make_station)
    from django.contrib.sessions.backends.db import SessionStore

    from waystation.stations.models import Station

    report = services.report_create(
        station=Station.objects.get(code="TN001"),
        category="water",
        text="饮水机不出热水",
        member=member,
    )
    services.report_transition(report=report, to="acknowledged", actor=people.alice)
    services.report_reply(
        report=report, text="已报修，周五前修好，请先到红梅公园驿站接水", actor=people.alice
    )
    session = SessionStore()
    session[SESSION_KEY] = member.pk
    session.save()
    page = _page(browser, PHONE)
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/stations/my-reports/")
    item = page.locator(".my-report").first
    assert "已受理" in item.inner_text() and "周五前修好" in item.inner_text()
    _no_sideways_scroll(page)
    _shot(page, "my-reports-phone")
    page.context.close()

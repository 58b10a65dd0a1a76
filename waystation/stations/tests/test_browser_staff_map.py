"""Union staff at 1440 × 900 (and on a phone): the map of their stations coloured by status
with a legend, and a fault report assigned and answered. Screenshots: /tmp/shots-stations18/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from waystation.stations import services
from waystation.stations.models import FaultReport, Station

from .test_browser_rider_pages import DESK, PHONE, _no_sideways_scroll, _page, _shot

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")


@pytest.mark.parametrize(("size", "label"), [(DESK, "desk"), (PHONE, "phone")])
def test_staff_see_their_stations_coloured_by_status_with_a_legend(
    transactional_db, live_server, browser, make_station, people, size, label
):
    for i, status in enumerate(Station.Status.values):
        make_station(
            f"TN00{i + 1}", lon=119.96 + i * 0.012, lat=31.77 + (i % 2) * 0.01, status=status
        )
    page = _page(browser, size)
    _sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/staff/stations/map/")
    page.wait_for_selector("#staff-map[data-count='5']")
    assert page.locator("#staff-map path.leaflet-interactive").count() == 5
    fills = set(
        page.eval_on_selector_all(
            "#staff-map path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))"
        )
    )
    assert len(fills) == 5  # one colour per status
    legend = page.inner_text("#map-legend")
    for word in ("规划中", "建设中", "开放", "暂停开放", "已关闭"):
        assert word in legend
    _no_sideways_scroll(page)
    _shot(page, f"staff-map-{label}")
    page.uncheck("#map-legend input[value=closed]")  # the legend hides a status
    assert page.locator("#staff-map path.leaflet-interactive").count() == 4
    page.check("#map-legend input[value=closed]")
    assert page.locator("#staff-map path.leaflet-interactive").count() == 5
    page.context.close()


def test_staff_assign_and_answer_an_overdue_report(
    transactional_db, live_server, browser, make_station, people
):
    station = make_station("TN001", name="青洋北路驿站")
    old = services.report_create(
        station=station, category="water", text="饮水机坏了", phone="13912345678"
    )
    FaultReport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=5))
    services.report_create(station=station, category="hygiene", text="地面脏")
    page = _page(browser, DESK)
    _sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/staff/stations/reports/")
    assert "超过 3 天仍未解决" in page.inner_text("#overdue-rule")
    first = page.locator("tbody tr").first
    assert "超期" in first.inner_text() and "饮水机" in first.inner_text()
    _shot(page, "staff-reports-desk")
    first.locator("a").first.click()
    page.select_option("#id_assignee", label="bob")
    page.click("#assign-form button")
    page.get_by_text("已指派").wait_for()
    page.fill("#id_reply", "已安排维修，明天上午到场")
    page.click("#reply-form button")
    page.get_by_text("已回复，并已短信通知反馈人").wait_for()
    _shot(page, "staff-report-desk")
    old.refresh_from_db()
    assert old.assignee == people.bob and old.reply == "已安排维修，明天上午到场"
    page.context.close()

"""Headless Chromium, at 390×844 and 1440×900: a district officer runs 本区覆盖率 in one click
and reads the result: the district's figure, every district in the table, a map whose legend
lists what it draws."""

import pytest

from waystation.core.tests.test_browser_charts import SHOTS
from waystation.core.tests.test_browser_staff import sign_in, worker  # noqa: F401 - fixture
from waystation.stations import services as station_services


@pytest.fixture
def open_stations(people):
    hours = [[["00:00", "24:00"]]] * 7
    for code, lon, lat in [("TN001", 119.974, 31.811), ("ZL001", 119.946, 31.772)]:
        station_services.station_create(
            code=code, lon=lon, lat=lat, data={"name": code, "weekly_hours": hours},
            actor=people.admin,
        )  # fmt: skip


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("size", "width", "height"), [("phone", 390, 844), ("desk", 1440, 900)])
def test_a_district_officer_gets_the_coverage_of_her_district_in_one_click(
    size,
    width,
    height,
    live_server,
    desk_page,
    people,
    open_stations,
    worker,  # noqa: F811
):
    page = desk_page
    page.set_viewport_size({"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, "alice", "pw-alice")
    page.goto(f"{live_server.url}/staff/planning/")
    assert page.locator("#expert").get_attribute("open") is None  # the expert options folded
    assert not page.locator("#id_detour").is_visible()
    assert page.locator("#coverage-district").input_value() == "tianning"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"planner-index-{size}.png"), full_page=True)
    button = page.locator("#task-coverage button[type=submit]")
    assert button.bounding_box()["height"] >= 44
    button.click()
    page.wait_for_selector("#headline", timeout=90000)  # the progress bar, then the result
    assert "天宁区覆盖率" in page.inner_text("h1")
    assert page.inner_text("#headline .figure").endswith("%")
    rows = page.locator("#by-district tbody tr th")
    names = [rows.nth(i).inner_text().split("\n")[0] for i in range(7)]
    assert names == ["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市", "经开区"]
    page.wait_for_selector("#map .leaflet-overlay-pane canvas")
    legend = page.locator("#legend li")
    keys = [legend.nth(i).get_attribute("data-layer") for i in range(legend.count())]
    assert keys == ["boundaries", "focus", "covered_hexagons", "uncovered_hexagons", "stations"]
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"planner-result-{size}.png"), full_page=True)
    assert errors == []

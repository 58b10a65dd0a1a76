import pytest

from waystation.stations import index
from waystation.stations.models import Visit

pytestmark = pytest.mark.browser


def test_rider_finds_the_nearest_station_on_a_phone_and_checks_in(
    transactional_db, live_server, phone_page, make_station
):
    make_station("TN001", name="人民路驿站", lon=119.99, lat=31.78, is_24h=True)
    make_station("TN002", name="远处驿站", lon=120.01, lat=31.79, is_24h=True)
    index.station_index()  # committed rows: the index is rebuilt in the background
    assert index.rebuild_wait(timeout=30)
    page = phone_page
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"longitude": 119.991, "latitude": 31.781})

    page.goto(f"{live_server.url}/stations/")
    page.click("#find-nearest")
    first = page.locator(".station-hit").first
    first.wait_for()
    assert "人民路驿站" in first.inner_text()
    assert "24小时开放" in first.inner_text()
    assert "步行约" in first.inner_text()

    first.locator("a.hit-name").click()
    page.wait_for_url("**/stations/TN001/")
    page.click("#checkin-link")
    page.select_option("#industry", "food_delivery")
    page.click("#checkin-submit")
    page.get_by_text("签到成功").wait_for()

    visit = Visit.objects.get()
    assert visit.station.code == "TN001"
    assert visit.industry == "food_delivery"

import io

import pytest
import zxingcpp
from PIL import Image

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
    assert visit.industry_id == "food_delivery"
    assert visit.proof == Visit.Proof.LOCATION  # the page sent the phone's location, 146 m off


def test_rider_scans_the_station_poster_on_a_phone_and_the_visit_counts(
    transactional_db, live_server, phone_page, make_station, as_user, people, settings
):
    settings.SITE_URL = live_server.url
    make_station("TN001", name="人民路驿站", is_24h=True)
    png = as_user(people.alice).get("/staff/stations/TN001/poster.png").content
    (qr,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert qr.text.startswith(f"{live_server.url}/stations/TN001/checkin/?poster_code=1:")

    page = phone_page  # no location shared: the poster's code alone makes the visit count
    page.goto(qr.text)
    page.select_option("#industry", "express")
    page.click("#checkin-submit")
    page.get_by_text("签到成功").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    visit = Visit.objects.get()
    assert (visit.station.code, visit.industry_id, visit.proof) == ("TN001", "express", "code")


def test_a_check_in_far_from_the_station_says_so_on_the_phone(
    transactional_db, live_server, phone_page, make_station
):
    make_station("TN001", name="人民路驿站", is_24h=True)
    page = phone_page
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"longitude": 120.62, "latitude": 31.78})  # 60 km east

    page.goto(f"{live_server.url}/stations/TN001/checkin/")
    page.click("#checkin-submit")
    page.locator("#checkin-refused").wait_for()
    assert page.inner_text("#checkin-refused") == "您距离该驿站约 60 公里，未计入到站次数"
    assert Visit.objects.count() == 0


def test_a_city_added_by_command_is_drawn_on_the_map_with_its_real_districts(
    transactional_db, live_server, phone_page
):
    from django.core.management import call_command

    call_command("add_city", "320200", stdout=io.StringIO())
    page = phone_page
    page.goto(f"{live_server.url}/stations/")
    # 常州 first (the federation that set the site up), then switch to 无锡
    page.locator("path.leaflet-interactive").first.wait_for()
    assert page.locator("path.leaflet-interactive").count() == 6  # 经开区 lies inside 武进区
    page.select_option("select[name=city]", "320200")
    page.wait_for_url("**/stations/?city=320200")
    page.locator("path.leaflet-interactive").first.wait_for()
    assert page.locator("path.leaflet-interactive").count() == 7
    page.locator("path.leaflet-interactive").nth(3).hover()
    assert page.locator(".leaflet-tooltip").inner_text() == "梁溪区"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

"""Staff flows in real headless Chromium, with a real background worker thread: a roster import
from upload to progress bar to done, and a planning analysis from form to map."""

import threading

import pytest

from waystation.jobs import runner
from waystation.members.demo import roster_sample, roster_xlsx
from waystation.members.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    """`manage.py run_jobs` in a thread: polls for jobs until the test ends."""
    from django.db import connection

    stop = threading.Event()

    def loop():
        try:
            while not stop.is_set():
                if runner.run_next() is None:
                    stop.wait(0.2)
        finally:
            connection.close()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    yield
    stop.set()
    t.join(10)


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")


def test_staff_imports_a_roster_and_watches_it_finish(
    live_server, desk_page, people, worker, tmp_path
):
    rows = roster_sample(120, seed=3)
    rows.append(
        ["王五", "110105194912310021", "13812345678", "外卖送餐", "美团", "天宁区"]
    )  # bad checksum
    path = tmp_path / "名册.xlsx"
    path.write_bytes(roster_xlsx(rows))
    page = desk_page
    sign_in(page, live_server, "alice", "pw-alice")
    page.goto(f"{live_server.url}/staff/imports/")
    page.set_input_files("#roster-upload input[type=file]", str(path))
    page.click("#roster-upload button")
    page.wait_for_selector("#row-errors")
    assert page.inner_text("#valid-rows") == "120" and page.inner_text("#error-rows").startswith(
        "1"
    )
    assert "校验位" in page.inner_text("#row-errors")
    assert "110105194912310021" not in page.content()  # masked in the preview
    page.click("#roster-commit button")
    page.wait_for_selector("#created:has-text('120')", timeout=30000)
    assert Member.objects.filter(channel="import").count() == 120


def test_staff_runs_a_coverage_analysis_and_sees_the_map(live_server, desk_page, people, worker):
    from waystation.stations import services

    for i, (lon, lat) in enumerate([(119.974, 31.811), (119.946, 31.772)]):
        hours = [[["00:00", "24:00"]]] * 7
        data = {"name": f"驿站{i}", "weekly_hours": hours}
        services.station_create(code=f"TN00{i}", lon=lon, lat=lat, data=data, actor=people.carl)
    page = desk_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, "carl", "pw-carl")
    page.goto(f"{live_server.url}/staff/planning/")
    page.click("#expert > summary")  # the expert options are folded away
    page.fill("#id_demand_n", "3000")
    page.click("#analysis-form button[type=submit]")
    page.wait_for_selector("#summary", timeout=60000)  # progress bar, then the page reloads
    assert "覆盖率" in page.inner_text("#summary") and "绕行系数 1.3" in page.inner_text("#summary")
    # boundaries and layers drawn on the map's canvas, with no tile server
    page.wait_for_selector("#map .leaflet-overlay-pane canvas")
    assert page.locator("#map .leaflet-tile").count() == 0
    assert page.locator("#by-district tr").count() > 1
    assert errors == []


def test_staff_uploading_a_roster_that_reaches_xfd1048576_sees_why_it_is_refused(
    live_server, desk_page, people, worker, tmp_path
):
    from waystation.core.tests.files import far_cell_workbook

    path = tmp_path / "名册.xlsx"
    path.write_bytes(far_cell_workbook("XFD1048576"))
    page = desk_page
    sign_in(page, live_server, "alice", "pw-alice")
    page.goto(f"{live_server.url}/staff/imports/")
    page.set_input_files("#roster-upload input[type=file]", str(path))
    page.click("#roster-upload button")
    page.wait_for_selector("#import-error")  # the progress bar, then the page reloads
    assert "数据延伸到第 1,048,576 行、第 16,384 列（XFD1048576）" in page.inner_text(
        "#import-error"
    )
    assert page.locator("#roster-commit").count() == 0

"""A fault report from a phone: one tap files one report, however often the page is reloaded
or Back is pressed afterwards."""

import pytest

from waystation.stations.models import FaultReport

pytestmark = pytest.mark.browser


def test_reloading_the_report_result_on_a_phone_files_no_second_report(
    transactional_db, live_server, phone_page, make_station
):
    make_station("TN001", name="人民路驿站", is_24h=True)
    page = phone_page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.goto(f"{live_server.url}/stations/TN001/report/")
    page.select_option("#id_category", "water")
    page.fill("#id_text", "饮水机不出热水")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{live_server.url}/stations/TN001/report/done/")
    page.get_by_text("感谢反馈").wait_for()
    number = FaultReport.objects.get().pk
    assert f"报告编号 {number}" in page.content()

    for _ in range(2):
        resp = page.reload()
        page.get_by_text("感谢反馈").wait_for()
        assert FaultReport.objects.count() == 1
        assert resp.request.method == "GET"  # the result page is fetched, nothing is re-sent
    page.go_back()  # to the form: shown again, not re-sent
    page.wait_for_url(f"{live_server.url}/stations/TN001/report/")
    page.go_forward()
    page.get_by_text("感谢反馈").wait_for()

    assert FaultReport.objects.count() == 1
    assert dialogs == []

"""Every chart of the statistics pages has its figures beside it as a table (its text
alternative) and as an Excel download, from the same rows; the download keeps the page's
filters."""

import io
import re

import pytest
from openpyxl import load_workbook

from waystation.aid.tests.conftest import make_member
from waystation.members.models import Member

LONG_UNION = "常州市天宁区快递物流与即时配送行业工会联合委员会"


@pytest.fixture
def members(orgs):
    a = make_member("CZ00000001", district="tianning", id_tail="0011")
    make_member("CZ00000002", district="tianning", id_tail="0022")
    make_member("CZ00000003", district="zhonglou", id_tail="0033")
    a.union.name = LONG_UNION
    a.union.save(update_fields=["name"])
    return Member.objects.all()


def _tables(html: str) -> dict[str, list[tuple[str, str]]]:
    out = {}
    for key, body in re.findall(r'id="panel-([a-z-]+)">(.*?)</table>', html, re.S):
        out[key] = re.findall(
            r'<tr><th scope="row">([^<]*)</th><td class="num">([^<]*)</td></tr>', body
        )
    return out


def test_each_member_chart_has_its_table_beside_it(people, as_user, members):
    html = as_user(people.carl).get("/staff/stats/").content.decode()
    tables = _tables(html)
    assert list(tables) == ["union", "district", "industry", "platform", "channel", "weeks"]
    assert tables["district"][:2] == [("天宁区", "2"), ("钟楼区", "1")]
    assert tables["union"] == [(LONG_UNION, "3"), ("合计", "3")]  # the whole name, never cut
    assert html.count('<details class="chart-data">') == 6
    assert html.count('data-chart="') == 5  # each drawn by charts.js from its own rows
    assert tables["platform"] == [] and "暂无数据" in html  # no member names a platform


def test_a_chart_downloads_as_excel_with_its_rows(people, as_user, members):
    r = as_user(people.carl).get("/staff/stats/", {"download": "district"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    assert list(ws.iter_rows(values_only=True)) == [("区域", "人数"), ("天宁区", 2), ("钟楼区", 1)]


def test_an_unknown_download_is_the_page_itself(people, as_user, members):
    r = as_user(people.carl).get("/staff/stats/", {"download": "nope"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")


def test_the_aid_charts_download_with_the_year_filter_kept(people, as_user, orgs):
    html = as_user(people.carl).get("/staff/aid/stats/", {"year": "2026"}).content.decode()
    assert 'href="?year=2026&amp;download=status"' in html
    assert html.count('<details class="chart-data">') == 9
    r = as_user(people.carl).get("/staff/aid/stats/", {"year": "2026", "download": "status"})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert next(ws.iter_rows(values_only=True)) == ("状态", "件数")


def test_a_station_s_visit_charts_have_tables_and_downloads(people, as_user, orgs):
    from waystation.stations import services

    services.station_create(
        code="TN001", lon=119.974, lat=31.811, data={"name": "天宁站"}, actor=people.admin
    )
    html = as_user(people.carl).get("/staff/stations/TN001/").content.decode()
    assert list(_tables(html)) == ["by-day", "by-hour", "by-industry"]
    assert len(_tables(html)["by-hour"]) == 24
    r = as_user(people.carl).get("/staff/stations/TN001/", {"download": "by-hour"})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == 25 and ws["A2"].value == "0时"

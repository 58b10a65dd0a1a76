"""One-click tasks for a district officer (本区覆盖率, 再建 N 个站选在哪里) with the city's own
demand and the defaults; the expert options folded away; every district in the table; a legend
of what the map shows, in Chinese."""

import io
import re

import pytest
from openpyxl import load_workbook

from waystation.accounts import geography
from waystation.aid.tests.conftest import make_member
from waystation.jobs import runner
from waystation.planner.forms import AnalysisForm
from waystation.planner.models import Analysis

from .test_analysis_page import form, stations  # noqa: F401 - the stations fixture

HAN = re.compile(r"[\u4e00-\u9fff]")
DISTRICTS = ["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市", "经开区"]


def _task(client, **data) -> Analysis:
    r = client.post("/staff/planning/task/", data)
    assert r.status_code == 302, r.content.decode()
    runner.run_until_empty()
    a = Analysis.objects.latest("pk")
    assert a.job.status == "done", a.job.error if hasattr(a.job, "error") else a.job
    return a


def _rows(html: str) -> list[str]:
    table = html.split('id="by-district"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-district="[^"]+"[^>]*><th scope="row">([^<]+)', table)


def test_the_officers_own_district_is_the_tasks_default(people, as_user):
    page = as_user(people.alice).get("/staff/planning/").content.decode()
    tasks = page.split('id="tasks"', 1)[1].split("</section>", 1)[0]
    assert tasks.count('<option value="tianning" selected>天宁区</option>') == 2
    city = as_user(people.carl).get("/staff/planning/").content.decode()
    assert '<option value="city:320400" selected>常州市全市</option>' in city


@pytest.mark.prg("planner:task")
def test_coverage_of_my_district_runs_with_the_city_defaults(people, stations, as_user):  # noqa: F811
    c = as_user(people.alice)
    a = _task(c, task="coverage", district="tianning")
    assert a.kind == "coverage" and a.city.adcode == "320400"
    p = a.params
    assert (p["mode"], p["minutes"], p["detour"], p["district"]) == ("ebike", 15, 1.3, "tianning")
    assert p["demand"] == "synthetic"  # the city has no members yet
    html = c.get(f"/staff/planning/{a.pk}/").content.decode()
    share = a.result["by_district"]["tianning"]["covered_share"]
    assert "天宁区覆盖率" in html
    assert f'<p class="figure">{100 * share:.1f}%</p>' in html
    assert 'class="focus" aria-current="true"><th scope="row">天宁区' in html


def test_the_city_demand_is_its_members_when_it_has_some(people, stations, as_user):  # noqa: F811
    make_member("CZ0001", district="tianning")
    make_member("CZ0002", district="jingkai", id_tail="0022")
    a = _task(as_user(people.alice), task="coverage", district="tianning")
    assert a.params["demand"] == "members" and a.result["demand_source"] == "members"
    page = as_user(people.alice).get(f"/staff/planning/{a.pk}/").content.decode()
    assert "本市在册会员的工作区域" in page


def test_new_sites_for_my_district_lie_in_my_district(people, stations, as_user):  # noqa: F811
    c = as_user(people.alice)
    a = _task(c, task="selection", district="wujin", n=2)
    sites = a.result["chosen_sites"]
    assert a.params["k"] == 2 and len(sites) == 2
    bounds = geography.boundaries([a.city])
    assert bounds is not None
    assert [bounds.unit_of(s["lon"], s["lat"]) for s in sites] == ["wujin", "wujin"]
    html = c.get(f"/staff/planning/{a.pk}/").content.decode()
    assert "在武进区再建 2 个站" in html
    table = html.split('id="sites"', 1)[1].split("</table>", 1)[0]
    assert table.count("<td>武进区</td>") == 2


def test_a_zone_without_a_polygon_gets_its_sites_in_the_district_holding_it(
    people,
    stations,  # noqa: F811
    as_user,
):
    a = _task(as_user(people.carl), task="selection", district="jingkai", n=1)
    bounds = geography.boundaries([a.city])
    assert bounds is not None
    site = a.result["chosen_sites"][0]
    assert bounds.unit_of(site["lon"], site["lat"]) == "wujin"
    html = as_user(people.carl).get(f"/staff/planning/{a.pk}/").content.decode()
    assert "经开区没有单独的区界，它的需求计入武进区" in html


def test_a_task_without_n_says_so_and_keeps_the_choice(people, as_user):
    r = as_user(people.carl).post(
        "/staff/planning/task/", {"task": "selection", "district": "xinbei", "n": ""}
    )
    html = r.content.decode()
    assert r.status_code == 400 and "请填写再建几个站" in html
    assert '<option value="xinbei" selected>新北区</option>' in html
    assert not Analysis.objects.exists()


def test_a_district_of_another_city_is_refused(people, wuxi_people, as_user):
    r = as_user(people.alice).post("/staff/planning/task/", {"task": "coverage", "district": "x"})
    assert r.status_code == 400 and not Analysis.objects.exists()


def test_the_district_table_lists_every_district_jingkai_included(people, stations, as_user):  # noqa: F811
    c = as_user(people.carl)
    c.post("/staff/planning/new/", form())
    runner.run_until_empty()
    a = Analysis.objects.get()
    assert "jingkai" not in a.result["by_district"]  # no polygon: its demand lies in 武进区
    html = c.get(f"/staff/planning/{a.pk}/").content.decode()
    assert _rows(html)[:7] == DISTRICTS
    assert "没有单独的区界，需求计入武进区" in html
    wb = load_workbook(io.BytesIO(c.get(f"/staff/planning/{a.pk}/report.xlsx").content))
    names = [row[0] for row in wb["分区"].iter_rows(min_row=2, values_only=True)]
    assert names[:7] == DISTRICTS


def _legend(html: str) -> list[str]:
    return re.findall(r'<li data-layer="([a-z_]+)"', html.split('id="legend"', 1)[1])


def test_the_legend_lists_only_what_the_map_shows(people, stations, as_user):  # noqa: F811
    c = as_user(people.carl)
    c.post("/staff/planning/new/", form())
    c.post("/staff/planning/new/", form(kind="selection", k=2))
    runner.run_until_empty()
    cov, sel = Analysis.objects.order_by("pk")
    assert _legend(c.get(f"/staff/planning/{cov.pk}/").content.decode()) == [
        "boundaries", "covered_hexagons", "uncovered_hexagons", "stations",
    ]  # fmt: skip
    assert _legend(c.get(f"/staff/planning/{sel.pk}/").content.decode()) == [
        "boundaries", "newly_covered_hexagons", "uncovered_hexagons", "stations", "chosen",
    ]  # fmt: skip
    focused = _task(c, task="coverage", district="xinbei")
    assert "focus" in _legend(c.get(f"/staff/planning/{focused.pk}/").content.decode())


def test_the_expert_options_are_folded_away_until_they_have_an_error(people, as_user):
    c = as_user(people.carl)
    page = c.get("/staff/planning/").content.decode()
    assert '<details class="panel expert" id="expert">' in page
    r = c.post("/staff/planning/new/", form(minutes=500))
    assert r.status_code == 400
    assert '<details class="panel expert" id="expert" open>' in r.content.decode()


def test_every_label_and_choice_of_the_expert_form_is_in_chinese(people):
    from waystation.accounts.models import City

    f = AnalysisForm(cities=City.objects.all())
    for name, field in f.fields.items():
        assert HAN.search(str(field.label)), name
        if name == "service":
            continue  # the service catalogue's own names (rows: "Wi-Fi" is one)
        for value, label in getattr(field, "choices", []):
            if value:
                assert HAN.search(str(label)), (name, value, label)


def test_the_result_reads_in_words(people, stations, as_user):  # noqa: F811
    c = as_user(people.carl)
    c.post("/staff/planning/new/", form(kind="selection", k=2))
    runner.run_until_empty()
    a = Analysis.objects.get()
    html = c.get(f"/staff/planning/{a.pk}/").content.decode()
    summary = html.split('id="summary"', 1)[1].split("</table>", 1)[0]
    for raw in ("km/h", "MIP gap", "straight_line", "lp-bound", "greedy", "synthetic"):
        assert raw not in summary, raw
    assert "每小时 15.0 公里" in summary and "直线距离 × 绕行系数" in summary


def test_an_analysis_counts_the_stations_of_its_own_city_only(
    people,
    wuxi_people,
    stations,  # noqa: F811
    as_user,
):
    from waystation.stations.models import Station

    # a 无锡 row placed (wrongly, as a stray import might) in Changzhou's centre: still 无锡's
    Station.objects.create(
        code="WX001", lon=119.95, lat=31.78, name="梁溪站", district_id="320213",
        status=Station.Status.OPEN,
    )  # fmt: skip
    a = _task(as_user(people.carl), task="coverage", district="city:320400")
    assert a.result["n_stations"] == 3  # Changzhou's three, not 无锡's

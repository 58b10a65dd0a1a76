"""The staff page of the planning package: submit → background job with progress → result on a
map, with downloads; bad uploads are refused before anything runs."""

import io
import json

import pytest
from openpyxl import load_workbook

from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.planner.models import Analysis
from waystation.stations import services as station_services

# Three open stations in central Changzhou (WGS-84) and one planned site to the north.
STATIONS = [("TN001", 119.974, 31.811), ("ZL001", 119.946, 31.772), ("WJ001", 119.960, 31.720)]


@pytest.fixture
def stations(people):
    for code, lon, lat in STATIONS:
        station_services.station_create(
            code=code, lon=lon, lat=lat,
            data={"name": code, "weekly_hours": [[["00:00", "24:00"]]] * 7, "services": ["water"]},
            actor=people.admin,
        )  # fmt: skip
    station_services.station_create(
        code="XB900",
        lon=119.98,
        lat=31.87,
        data={"name": "规划站", "status": "planned"},
        actor=people.admin,
    )


def form(**over):
    data = {
        "kind": "coverage", "service": "", "demand": "synthetic", "demand_n": 2000,
        "datum": "gcj02", "mode": "ebike", "minutes": 15, "detour": 1.3, "k": 2,
        "candidates": "hotspots", "n_candidates": 50, "time_limit": 30,
    }  # fmt: skip
    data.update(over)
    return data


@pytest.mark.prg("planner:create")
def test_coverage_runs_in_background_and_shows_result(people, stations, as_user):
    c = as_user(people.carl)
    r = c.post("/staff/planning/new/", form())
    a = Analysis.objects.get()
    assert r.status_code == 302 and r.url == f"/staff/planning/{a.pk}/"
    page = c.get(r.url).content.decode()
    assert "data-job-url" in page and a.job.status == "queued"  # progress bar while it runs
    runner.run_until_empty()
    a.refresh_from_db()
    assert a.job.status == Job.Status.DONE and a.job.percent == 100
    assert 0 < a.result["covered_share"] < 1 and a.result["n_stations"] == 3
    assert a.result["detour"] == 1.3 and a.result["mode"] == "ebike"
    assert a.result["synthetic"] is True
    html = c.get(r.url).content.decode()
    assert "覆盖率" in html and "绕行系数 1.3" in html and 'id="map"' in html


def test_selection_chooses_sites_and_downloads_geojson_and_xlsx(people, stations, as_user):
    c = as_user(people.carl)
    c.post("/staff/planning/new/", form(kind="selection", k=2))
    runner.run_until_empty()
    a = Analysis.objects.get()
    r = a.result
    assert len(r["chosen"]) == 2 and r["proven_optimal"] is True
    assert r["covered_share_after"] >= r["covered_share_before"]
    geo = json.loads(c.get(f"/staff/planning/{a.pk}/layers.geojson").content)
    layers = {f["properties"]["layer"] for f in geo["features"]}
    assert {"chosen_sites", "stations"} <= layers
    wb = load_workbook(io.BytesIO(c.get(f"/staff/planning/{a.pk}/report.xlsx").content))
    assert wb.sheetnames == ["概要", "分区", "新站"]
    assert wb["新站"].max_row == 3  # header + 2 sites


def test_planned_stations_can_be_the_candidates(people, stations, as_user):
    c = as_user(people.carl)
    c.post("/staff/planning/new/", form(kind="selection", k=1, candidates="planned"))
    runner.run_until_empty()
    assert Analysis.objects.get().result["chosen"] == ["XB900"]


def test_uploaded_demand_in_gcj02_is_converted_and_used(people, stations, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = "id,lon,lat,weight\na,119.9788,31.8092,3\nb,121.47,31.23,1\n"  # near TN001; Shanghai
    c = as_user(people.carl)
    c.post("/staff/planning/new/", {**form(demand="upload"),
           "demand_file": SimpleUploadedFile("d.csv", csv.encode())})  # fmt: skip
    runner.run_until_empty()
    r = Analysis.objects.get().result
    assert r["total_weight"] == 4 and r["covered_weight"] == 3


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        ("x,y\n1,2\n", "缺少列"),
        ("id,lon,lat\na,abc,31\n", "不是数字"),
        ("id,lon,lat\na,200,31\n", "超出范围"),
    ],
)
def test_bad_uploads_are_refused_before_anything_runs(csv, message, people, stations, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = as_user(people.carl).post("/staff/planning/new/", {**form(demand="upload"),
        "demand_file": SimpleUploadedFile("d.csv", csv.encode())})  # fmt: skip
    assert r.status_code == 400 and message in r.content.decode()
    assert not Analysis.objects.exists() and not Job.objects.exists()


def test_k_larger_than_candidates_is_capped_and_says_so(people, stations, as_user):
    c = as_user(people.carl)
    c.post("/staff/planning/new/", form(kind="selection", candidates="planned", k=5))
    runner.run_until_empty()
    a = Analysis.objects.get()
    assert a.job.status == "done" and a.result["chosen"] == ["XB900"]
    assert (
        "新站数已从 5 调整为 1"
        in as_user(people.carl).get(f"/staff/planning/{a.pk}/").content.decode()
    )


def test_analyses_are_private_to_their_author_below_city_level(people, stations, as_user):
    as_user(people.alice).post("/staff/planning/new/", form())
    a = Analysis.objects.get()
    assert as_user(people.bob).get(f"/staff/planning/{a.pk}/").status_code == 404
    assert as_user(people.carl).get(f"/staff/planning/{a.pk}/").status_code == 200
    assert as_user(people.olga).get("/staff/planning/").status_code == 404

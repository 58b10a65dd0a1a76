"""Post/Redirect/Get on the station pages: each successful POST answers 302 to the page that
shows its result, so reloading or going Back never files a report or checks in twice
(core/tests/test_prg_coverage.py checks every page taking a POST has such a test)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from waystation.jobs.models import Job
from waystation.stations import services
from waystation.stations.codes import poster_code
from waystation.stations.models import FaultReport, Station, StationException, StationPhoto, Visit
from waystation.stations.registry import registry_xlsx

from .test_reports import png_bytes


@pytest.mark.prg("stations:report")
def test_filing_a_fault_report_redirects_to_its_thanks_page(client, make_station):
    make_station()
    r = client.post("/stations/TN001/report/", {"category": "water", "text": "饮水机不出水"})
    assert (r.status_code, r["Location"]) == (302, "/stations/TN001/report/done/")
    report = FaultReport.objects.get()
    page = client.get(r["Location"])
    assert page.status_code == 200
    assert f"报告编号 {report.pk}" in page.content.decode()


def test_reloading_the_thanks_page_files_nothing_more(client, make_station):
    make_station()
    client.post("/stations/TN001/report/", {"category": "water"})
    for _ in range(3):
        assert "感谢反馈" in client.get("/stations/TN001/report/done/").content.decode()
    assert FaultReport.objects.count() == 1


def test_the_thanks_page_shows_nothing_to_another_browser(client, make_station):
    make_station()
    from django.test import Client

    client.post("/stations/TN001/report/", {"category": "water"})
    r = Client().get("/stations/TN001/report/done/")
    assert (r.status_code, r["Location"]) == (302, "/stations/TN001/")


@pytest.mark.prg("stations:checkin")
def test_checking_in_redirects_to_its_result_page(client, make_station):
    station = make_station(name="人民路驿站")
    r = client.post(
        "/stations/TN001/checkin/", {"industry": "express", "poster_code": poster_code(station)}
    )
    assert (r.status_code, r["Location"]) == (302, "/stations/TN001/checkin/done/")
    for _ in range(2):  # a reload shows the same result and records nothing
        page = client.get(r["Location"]).content.decode()
        assert "签到成功" in page and "人民路驿站" in page
    assert Visit.objects.count() == 1


def test_the_checkin_result_page_without_a_checkin_goes_to_the_checkin(client, make_station):
    make_station()
    r = client.get("/stations/TN001/checkin/done/")
    assert (r.status_code, r["Location"]) == (302, "/stations/TN001/checkin/")


@pytest.mark.prg("stations:import")
def test_an_import_redirects_to_its_progress_and_says_what_it_will_do(
    as_user, people, make_station
):
    make_station("TN001")
    data = registry_xlsx(Station.objects.all())
    Station.objects.all().delete()
    c = as_user(people.alice)
    r = c.post(
        "/staff/stations/import/",
        {"file": SimpleUploadedFile("s.xlsx", data), "datum": "wgs84"},
    )
    job = Job.objects.get(kind="stations.registry_import")
    assert (r.status_code, r["Location"]) == (302, f"/staff/stations/import/?job={job.pk}")
    page = c.get(r["Location"]).content.decode()
    assert "新建 1，更新 0，无变化 0：正在后台写入" in page
    assert f'data-job-url="/jobs/{job.pk}/"' in page


def test_the_import_page_shows_no_job_of_someone_outside_the_unit(as_user, people, make_station):
    make_station("TN001")
    data = registry_xlsx(Station.objects.all())
    Station.objects.all().delete()
    as_user(people.alice).post(
        "/staff/stations/import/", {"file": SimpleUploadedFile("s.xlsx", data), "datum": "wgs84"}
    )
    job = Job.objects.get()
    page = as_user(people.charlie).get(f"/staff/stations/import/?job={job.pk}").content.decode()
    assert "data-job-url" not in page
    for bad in ("abc", "-1", "99999999999999999999"):
        r = as_user(people.alice).get(f"/staff/stations/import/?job={bad}")
        assert r.status_code == 200 and "data-job-url" not in r.content.decode()


@pytest.mark.prg("stations:staff_edit")
def test_saving_a_station_redirects_to_its_staff_page(as_user, keeper):
    r = as_user(keeper).post(
        "/staff/stations/TN001/edit/",
        {"status": "open", "capacity": "12", "services": ["water"],
         "weekly_text": "\n".join(["09:00-18:00"] * 7)},
    )  # fmt: skip
    assert (r.status_code, r["Location"]) == (302, "/staff/stations/TN001/")


@pytest.mark.prg("stations:exception_add")
def test_adding_a_closure_redirects_to_the_station(as_user, keeper):
    r = as_user(keeper).post(
        "/staff/stations/TN001/exceptions/",
        {"start_date": "2026-10-01", "end_date": "2026-10-03", "closed": "on", "reason": "国庆"},
    )
    assert (r.status_code, r["Location"]) == (302, "/staff/stations/TN001/")
    assert StationException.objects.count() == 1


@pytest.mark.prg("stations:exception_delete")
def test_deleting_a_closure_redirects_to_the_station(as_user, keeper):
    from datetime import date

    station = Station.objects.get(code="TN001")
    exc = services.exception_add(
        station=station, start_date=date(2026, 10, 1), end_date=date(2026, 10, 3), closed=True,
        hours=[], reason="国庆", actor=keeper,
    )  # fmt: skip
    r = as_user(keeper).post(f"/staff/stations/TN001/exceptions/{exc.pk}/delete/")
    assert (r.status_code, r["Location"]) == (302, "/staff/stations/TN001/")
    assert not StationException.objects.exists()


@pytest.mark.prg("stations:photo_add")
def test_uploading_a_photo_redirects_to_the_station(as_user, keeper):
    photo = SimpleUploadedFile("front.png", png_bytes(), "image/png")
    r = as_user(keeper).post("/staff/stations/TN001/photos/", {"photo": photo, "caption": "门口"})
    assert (r.status_code, r["Location"]) == (302, "/staff/stations/TN001/")
    assert StationPhoto.objects.count() == 1


@pytest.mark.prg("stations:photo_delete")
def test_deleting_a_photo_redirects_to_the_station(as_user, keeper):
    c = as_user(keeper)
    photo = SimpleUploadedFile("front.png", png_bytes(), "image/png")
    c.post("/staff/stations/TN001/photos/", {"photo": photo, "caption": "门口"})
    r = c.post(f"/staff/stations/TN001/photos/{StationPhoto.objects.get().pk}/delete/")
    assert (r.status_code, r["Location"]) == (302, "/staff/stations/TN001/")
    assert not StationPhoto.objects.exists()


@pytest.mark.prg("stations:staff_report")
def test_acting_on_a_fault_report_redirects_to_the_report(as_user, keeper):
    report = services.report_create(station=Station.objects.get(code="TN001"), category="water")
    r = as_user(keeper).post(
        f"/staff/stations/reports/{report.pk}/", {"to": "acknowledged", "note": "已联系维修"}
    )
    assert (r.status_code, r["Location"]) == (302, f"/staff/stations/reports/{report.pk}/")
    report.refresh_from_db()
    assert report.status == FaultReport.Status.ACKNOWLEDGED

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from waystation.geo.distance import haversine_m
from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.stations.models import Station
from waystation.stations.registry import registry_import, registry_xlsx


def test_export_in_gcj02_and_import_back_round_trips_under_half_a_metre(people, make_station):
    make_station("TN001", lon=119.99, lat=31.78, services=["water", "legal_aid"])
    data = registry_xlsx(Station.objects.all(), datum="gcj02")
    Station.objects.filter(code="TN001").update(lon=120.0, lat=31.77, name="旧名")
    result = registry_import(data=data, datum="gcj02", actor=people.alice)
    assert (result.created, result.updated, result.errors) == (0, 1, [])
    s = Station.objects.get(code="TN001")
    assert haversine_m(s.lon, s.lat, 119.99, 31.78) < 0.5
    assert s.services == ["water", "legal_aid"]
    assert s.name == "驿站TN001"


def test_import_of_another_districts_station_writes_nothing(people, make_station):
    make_station("ZL001", lon=119.94, lat=31.76)
    make_station("TN001")
    data = registry_xlsx(Station.objects.all())
    Station.objects.all().delete()
    result = registry_import(data=data, datum="wgs84", actor=people.alice)
    assert result.created == 0
    assert [line for line, _ in result.errors] == [3]  # ZL001 is the second row, after TN001
    assert Station.objects.count() == 0


def test_export_page_gives_a_workbook_of_the_stations_in_scope(as_user, people, make_station):
    make_station("TN001")
    make_station("ZL001", lon=119.94, lat=31.76)
    resp = as_user(people.alice).get("/staff/stations/export.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(resp.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert [r[0] for r in rows[1:]] == ["TN001"]


def test_import_page_checks_the_file_then_creates_stations_in_a_background_job(
    as_user, people, make_station
):
    make_station("TN001")
    data = registry_xlsx(Station.objects.all())
    Station.objects.all().delete()
    upload = SimpleUploadedFile("s.xlsx", data)
    resp = as_user(people.alice).post(
        "/staff/stations/import/", {"file": upload, "datum": "wgs84"}, follow=True
    )
    page = resp.content.decode()
    assert "新建 1，更新 0，无变化 0" in page
    assert "data-job-url" in page  # the progress bar polls the job
    assert not Station.objects.exists()  # written by the job, not the request

    assert runner.run_until_empty() == 1
    job = Job.objects.get(kind="stations.registry_import")
    assert job.status == Job.Status.DONE
    assert job.result == {"created": 1, "updated": 0, "unchanged": 0}
    assert (job.done, job.total) == (1, 1)
    assert Station.objects.get().code == "TN001"


def workbook(district: str) -> bytes:
    from waystation.members.exports import xlsx_bytes
    from waystation.stations.registry import COLUMNS

    row = ["TN001", "驿站", "", district, "其他", "开放", 119.99, 31.78, "是", "", "饮水", 0, "",
           "否", ""]  # fmt: skip
    return xlsx_bytes([h for h, _ in COLUMNS], [row], title="驿站")


def test_import_reads_district_names_within_the_importers_city(people, wuxi_people):
    for actor, name in ((wuxi_people.wes, "天宁区"), (people.alice, "梁溪区")):
        result = registry_import(data=workbook(name), datum="wgs84", actor=actor)
        assert result.errors == [(2, f"无法识别“{name}”")]
    assert not Station.objects.exists()
    result = registry_import(data=workbook("天宁区"), datum="wgs84", actor=people.alice)
    assert (result.created, result.errors) == (1, [])
    assert Station.objects.get().district_id == "tianning"


def test_import_by_staff_of_two_cities_asks_for_the_city_where_a_name_is_in_both(wuxi_people, wuxi):
    from waystation.accounts.models import District

    pam = wuxi_people.pam
    District.objects.create(code="320299", city=wuxi["city"].city, name="天宁区", adcode="320299")
    result = registry_import(data=workbook("天宁区"), datum="wgs84", actor=pam)
    assert result.errors == [(2, "多个城市都有“天宁区”，请写城市名和区域名")]
    result = registry_import(data=workbook("常州市天宁区"), datum="wgs84", actor=pam)
    assert (result.created, result.errors) == (1, [])
    assert Station.objects.get().district_id == "tianning"


def test_checking_an_import_reads_the_districts_once_whatever_the_number_of_rows(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from waystation.members.exports import xlsx_bytes
    from waystation.stations.registry import COLUMNS, registry_check

    def book(n):
        rows = [
            [f"TN{i:03d}", "驿站", "", "天宁区", "其他", "开放", 119.99, 31.78, "是", "", "饮水",
             0, "", "否", ""]
            for i in range(n)
        ]  # fmt: skip
        return xlsx_bytes([h for h, _ in COLUMNS], rows, title="驿站")

    registry_check(data=book(1), datum="wgs84", actor=people.alice)  # the scope, the services
    counts = []
    for n in (3, 30):
        data = book(n)
        with CaptureQueriesContext(connection) as queries:
            result = registry_check(data=data, datum="wgs84", actor=people.alice)
        assert (result.created, result.errors) == (n, [])
        counts.append(len(queries))
    assert counts[0] == counts[1]

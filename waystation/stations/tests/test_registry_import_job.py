"""Registry import: every row checked in the request, the writing done by a background job."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.members.exports import xlsx_bytes
from waystation.privacy.models import AuditLog
from waystation.stations import registry
from waystation.stations.models import Station
from waystation.stations.registry import COLUMNS, registry_import_start, registry_xlsx

pytestmark = pytest.mark.django_db


def post(client, data, datum="wgs84"):
    upload = SimpleUploadedFile("stations.xlsx", data)
    return client.post("/staff/stations/import/", {"file": upload, "datum": datum}, follow=True)


@pytest.fixture
def workbook(make_station):
    """The export of two 天宁 stations, then the registry emptied."""
    make_station("TN001")
    make_station("TN002", lon=120.0, lat=31.77)
    data = registry_xlsx(Station.objects.all())
    Station.objects.all().delete()
    return data


def test_re_importing_the_same_file_changes_nothing_and_queues_no_job(as_user, people, workbook):
    registry_import_start(data=workbook, datum="wgs84", actor=people.alice)
    runner.run_until_empty()
    stamps = dict(Station.objects.values_list("code", "updated_at"))
    audits = AuditLog.objects.count()

    resp = post(as_user(people.alice), workbook)
    assert "新建 0，更新 0，无变化 2" in resp.content.decode()
    assert "没有需要写入的变化" in resp.content.decode()
    assert Job.objects.count() == 1
    assert dict(Station.objects.values_list("code", "updated_at")) == stamps
    assert AuditLog.objects.count() == audits


def test_only_the_rows_that_differ_are_written(people, make_station):
    make_station("TN001")
    make_station("TN002", lon=120.0, lat=31.77)
    data = registry_xlsx(Station.objects.all())
    Station.objects.filter(code="TN002").update(name="旧名")
    untouched = Station.objects.get(code="TN001").updated_at

    result = registry_import_start(data=data, datum="wgs84", actor=people.alice)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert [r["code"] for r in result.job.params["rows"]] == ["TN002"]
    runner.run_until_empty()
    assert Station.objects.get(code="TN002").name == "驿站TN002"
    assert Station.objects.get(code="TN001").updated_at == untouched


def test_a_file_with_bad_rows_lists_them_and_queues_nothing(as_user, people, make_station):
    make_station("TN001")
    good = _rows(registry_xlsx(Station.objects.all()))[0]
    Station.objects.all().delete()
    bad_lon = ["TN002", *good[1:6], "abc", *good[7:]]  # 经度 is the 7th column
    bad_district = ["TN003", *good[1:3], "火星区", *good[4:]]
    data = xlsx_bytes([h for h, _ in COLUMNS], [good, bad_lon, bad_district])
    page = post(as_user(people.alice), data).content.decode()
    assert "有 2 行错误，整表未写入" in page
    assert "第 3 行：坐标应为数字" in page
    assert "第 4 行：无法识别“火星区”" in page
    assert not Job.objects.exists()
    assert not Station.objects.exists()


def test_a_code_twice_in_one_file_is_an_error_naming_the_first_row(people, make_station):
    make_station("TN001")
    row = _rows(registry_xlsx(Station.objects.all()))[0]
    data = xlsx_bytes([h for h, _ in COLUMNS], [row, row])
    result = registry_import_start(data=data, datum="wgs84", actor=people.alice)
    assert result.errors == [(3, "编号与第 2 行重复")]
    assert result.job is None


def test_the_datum_must_be_declared(people, workbook):
    with pytest.raises(ValidationError) as exc:
        registry_import_start(data=workbook, datum="", actor=people.alice)
    assert "坐标系" in exc.value.messages[0]


def test_stations_outside_the_staff_members_scope_are_refused_before_any_job(people, workbook):
    result = registry_import_start(data=workbook, datum="wgs84", actor=people.charlie)
    assert [line for line, _ in result.errors] == [2, 3]
    assert result.job is None


def test_a_job_that_failed_halfway_resumes_without_writing_a_station_twice(
    people, workbook, monkeypatch
):
    monkeypatch.setattr(registry, "BATCH", 1)
    result = registry_import_start(data=workbook, datum="wgs84", actor=people.alice)
    real_apply = registry.registry_apply

    def dies_after_the_first_batch(rows, *, actor, progress=None):
        def progress_then_die(done):
            progress(done)
            raise RuntimeError("worker killed")

        return real_apply(rows, actor=actor, progress=progress_then_die)

    monkeypatch.setattr("waystation.stations.jobs.registry_apply", dies_after_the_first_batch)
    runner.run_until_empty()
    job = Job.objects.get(pk=result.job.pk)
    assert job.status == Job.Status.FAILED
    assert list(Station.objects.values_list("code", flat=True)) == ["TN001"]

    monkeypatch.setattr("waystation.stations.jobs.registry_apply", real_apply)
    runner.job_retry(job)
    runner.run_until_empty()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result == {"created": 1, "updated": 0, "unchanged": 1}
    assert list(Station.objects.values_list("code", flat=True)) == ["TN001", "TN002"]


def test_keepers_cannot_reach_the_import_page(as_user, keeper):
    assert as_user(keeper).get("/staff/stations/import/").status_code == 404


def _rows(data):
    import io

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python()[1:]


@pytest.mark.parametrize("ref", ["XFD1048576", "AD1000000"])
def test_a_workbook_reaching_a_far_cell_is_refused_with_a_message(as_user, people, ref):
    from waystation.core.tests.files import far_cell_workbook

    resp = post(as_user(people.alice), far_cell_workbook(ref, header=[h for h, _ in COLUMNS]))
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "表格过大：数据延伸到第" in page and f"（{ref}），上限为 250,000 行" in page
    assert not Job.objects.exists() and not Station.objects.exists()

"""Roster import of hostile workbooks: a few KB that reach a far cell are refused with a message,
nothing is kept, and the reader, in a child of bounded memory, can take down only itself."""

import io

import pytest

from waystation.core.tests.files import far_cell_workbook
from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.members import roster
from waystation.members.demo import roster_sample, roster_xlsx
from waystation.members.models import Member, RosterImport
from waystation.privacy import crypto

URL = "/staff/imports/"


@pytest.fixture
def alice(people, as_user):
    return as_user(people.alice)


def post(client, data: bytes, unit):
    f = io.BytesIO(data)
    f.name = "名册.xlsx"
    return client.post(URL, {"unit": unit.pk, "file": f})


def too_large(ref: str, rows: str, columns: str) -> str:
    return (
        f"表格过大：数据延伸到第 {rows} 行、第 {columns} 列（{ref}），上限为 250,000 行、100 列、"
        "共 5,000,000 个单元格。请删除表格末尾多余的行和列（或把数据复制到新工作簿）后重新上传"
    )


def nothing_kept(settings) -> bool:
    folder = settings.PRIVATE_MEDIA_ROOT / "roster"
    return not Member.objects.exists() and (not folder.exists() or not any(folder.iterdir()))


def assert_a_good_roster_still_validates(client, unit):
    r = post(client, roster_xlsx(roster_sample(3, seed=7)), unit)
    assert r.status_code == 302
    runner.run_until_empty()
    imp = RosterImport.objects.get(pk=r.url.rstrip("/").rsplit("/", 1)[-1])
    assert (imp.status, imp.valid_rows) == (RosterImport.Status.VALIDATED, 3)


def test_a_sheet_declaring_xfd1048576_is_refused_in_the_request(alice, orgs, settings):
    r = post(alice, far_cell_workbook("XFD1048576", declared=True), orgs["tianning"])
    assert r.status_code == 400
    assert too_large("XFD1048576", "1,048,576", "16,384") in r.content.decode()
    assert not RosterImport.objects.exists() and not Job.objects.exists()
    assert nothing_kept(settings)


@pytest.mark.parametrize(
    ("ref", "rows", "columns"),
    [("XFD1048576", "1,048,576", "16,384"), ("AD1000000", "1,000,000", "30")],
)
def test_one_far_cell_is_refused_by_the_validation_job(alice, orgs, settings, ref, rows, columns):
    """Without a declared dimension only reading the sheet tells: the job does, bounded."""
    data = far_cell_workbook(ref)
    assert len(data) < 5_000
    r = post(alice, data, orgs["tianning"])
    assert r.status_code == 302
    assert runner.run_until_empty() == 1
    imp = RosterImport.objects.get()
    assert imp.status == RosterImport.Status.FAILED
    assert imp.error == too_large(ref, rows, columns)
    assert (imp.job.status, imp.job.error) == (Job.Status.FAILED, imp.error)
    assert nothing_kept(settings)  # the upload deleted, no rows staged
    page = alice.get(r.url).content.decode()
    assert "无法导入：" + too_large(ref, rows, columns) in page
    assert 'id="roster-commit"' not in page
    assert_a_good_roster_still_validates(alice, orgs["tianning"])


def test_a_reader_that_runs_out_of_memory_fails_only_its_job(alice, orgs, settings):
    """The sheet limits out of the way, the reader asks for 512 GiB and aborts: the child does,
    the job fails with a message, this process goes on."""
    settings.XLSX_MAX_ROWS = settings.XLSX_MAX_COLUMNS = settings.XLSX_MAX_CELLS = 10**12
    settings.XLSX_PARSE_MEMORY_MB = 256
    r = post(alice, far_cell_workbook("XFD1048576"), orgs["tianning"])
    assert r.status_code == 302
    runner.run_until_empty()
    imp = RosterImport.objects.get()
    message = (
        "文件过大或过于复杂，读取时超出了服务器的内存或时间上限（256 MB），"
        "请删除多余的行列或分批上传"
    )
    assert (imp.status, imp.error) == (RosterImport.Status.FAILED, message)
    assert imp.job.message == "失败：" + message
    assert nothing_kept(settings)
    assert_a_good_roster_still_validates(alice, orgs["tianning"])


def test_an_upload_waits_encrypted_for_its_job_and_is_deleted_once_read(alice, orgs):
    data = roster_xlsx(roster_sample(3, seed=8))
    r = post(alice, data, orgs["tianning"])
    imp = RosterImport.objects.get()
    assert (imp.status, imp.job.kind) == (RosterImport.Status.VALIDATING, roster.VALIDATE_KIND)
    stored = roster.upload_path(imp).read_bytes()
    assert not stored.startswith(b"PK") and crypto.decrypt_bytes(stored) == data
    page = alice.get(r.url).content.decode()
    assert "校验进度" in page and f'data-job-url="/jobs/{imp.job_id}/"' in page
    refused = alice.post(f"/staff/imports/{imp.pk}/commit/", follow=True).content.decode()
    assert "文件还在校验中，请在校验完成后再导入" in refused

    runner.run_until_empty()
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.VALIDATED and imp.valid_rows == 3
    assert not roster.upload_path(imp).exists()
    assert imp.job.message == "校验完成：有效 3 行，错误 0 行"

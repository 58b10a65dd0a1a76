"""Roster import: reading the file, the columns, per-row validation, preview and error file.

An upload that is plainly not a workbook is refused in the request; the rows are read and
validated by a background job (run here by `runner.run_until_empty`), whose result the import's
page shows."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.members import roster
from waystation.members.demo import roster_sample, roster_xlsx
from waystation.members.models import Member, RosterImport

from .factories import make_member

URL = "/staff/imports/"
GOOD = ["王小明", "11010519491231002X", "13812345678", "外卖送餐", "美团", "天宁区", "2024-03-01"]


def upload(client, data: bytes, *, name="roster.xlsx", unit=None):
    """The upload's response; once accepted, its validation job has run."""
    f = io.BytesIO(data)
    f.name = name
    r = client.post(URL, {"unit": unit.pk, "file": f})
    if r.status_code == 302:
        runner.run_until_empty()
    return r


def refused_by_the_job(client, r) -> str:
    """The import's page after its validation refused the file: nothing kept, the job failed."""
    assert r.status_code == 302
    imp = RosterImport.objects.get()
    assert imp.status == RosterImport.Status.FAILED
    assert imp.job.status == Job.Status.FAILED and imp.job.error == imp.error
    assert sorted(roster.staged_path(imp).parent.iterdir()) == []  # no upload, nothing staged
    assert not Member.objects.exists()
    return client.get(r.url).content.decode()


@pytest.fixture
def alice(people, as_user):
    return as_user(people.alice)


def test_template_has_the_columns_and_text_format_for_numbers(alice):
    r = alice.get("/staff/imports/template.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert [c.value for c in wb["名册"][1]] == [h for h, _, _ in roster.COLUMNS]
    assert wb["名册"].column_dimensions["B"].number_format == "@"
    assert "填写说明" in wb.sheetnames


def test_upload_rejects_a_file_that_is_not_a_spreadsheet(alice, orgs):
    r = upload(alice, b"%PDF-1.4\n", name="roster.pdf", unit=orgs["tianning"])
    assert r.status_code == 400
    assert "请上传 Excel 或 WPS 表格（.xlsx、.xls、.et）或 CSV 文件" in r.content.decode()
    assert not RosterImport.objects.exists()


def test_upload_rejects_a_binary_file_renamed_to_csv(alice, orgs):
    r = upload(alice, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", name="roster.csv", unit=orgs["tianning"])
    assert r.status_code == 400
    assert "无法读取文件" in r.content.decode()
    assert not RosterImport.objects.exists()


def test_upload_rejects_a_corrupt_workbook(alice, orgs):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<not really a workbook")
    for data in (buf.getvalue(), roster_xlsx([GOOD])[:400]):
        r = upload(alice, data, unit=orgs["tianning"])
        assert r.status_code == 400
        assert "文件已损坏或不是 Excel 工作簿" in r.content.decode()
    assert not RosterImport.objects.exists()


def test_upload_rejects_a_file_too_large(alice, orgs, monkeypatch):
    monkeypatch.setattr(roster, "MAX_BYTES", 1024)
    r = upload(alice, roster_xlsx(roster_sample(50)), unit=orgs["tianning"])
    assert r.status_code == 400
    assert "文件过大" in r.content.decode()
    assert not RosterImport.objects.exists()


def test_validation_rejects_missing_columns_and_names_them(alice, orgs):
    data = roster_xlsx([GOOD[:3]], header=["姓名", "证件", "手机号"])
    page = refused_by_the_job(alice, upload(alice, data, unit=orgs["tianning"]))
    assert "无法导入：缺少必填列：身份证号、行业、平台、工作区域" in page


def test_validation_rejects_a_column_given_twice(alice, orgs):
    header = ["姓名", "身份证号", "手机号", "行业", "平台", "工作区域", "身份证号码"]
    r = upload(alice, roster_xlsx([GOOD], header=header), unit=orgs["tianning"])
    assert "列“身份证号”出现了两次" in refused_by_the_job(alice, r)


def test_validation_rejects_a_header_only_file(alice, orgs):
    r = upload(alice, roster_xlsx([]), unit=orgs["tianning"])
    assert "文件中只有列名，没有会员数据" in refused_by_the_job(alice, r)
    imp = RosterImport.objects.get()
    r = alice.post(f"/staff/imports/{imp.pk}/commit/", follow=True)
    assert "这个文件无法导入，请按提示修改后重新上传" in r.content.decode()
    assert not Job.objects.filter(kind=roster.JOB_KIND).exists()


def test_headers_accept_marks_and_aliases(orgs, people):
    header = ["姓名*", "身份证号码（必填）", "手机号码", "行业", "平台", "区域"]
    data = roster_xlsx([GOOD[:6]], header=header)
    parsed = roster.parse(data, unit=orgs["tianning"])
    assert parsed.valid == 1 and parsed.rows[0].joined_on is None


def row_errors(unit, *rows):
    parsed = roster.parse(roster_xlsx(rows), unit=unit)
    return [r.errors for r in parsed.rows]


def test_each_bad_cell_gets_a_message_naming_its_column(orgs):
    bad = [
        "王小明",
        "110105194912310021",
        "1381234567",
        "农业",
        "美团、不存在平台",
        "天宁",
        "2099-01-01",
    ]
    (errors,) = row_errors(orgs["city"], bad)
    assert errors == [
        "身份证号：身份证号码校验位不正确，请核对",
        "手机号：请输入11位中国大陆手机号码",
        "行业：“农业”不是有效的行业",
        "平台：“不存在平台”不是已登记的平台",
        "入会日期：入会日期不能晚于今天",
    ]


def test_rows_use_the_join_form_rules(orgs):
    rows = [
        ["A1", *GOOD[1:]],  # digits in a name
        [GOOD[0], "11010520200101001X", *GOOD[2:]],  # too young / checksum
        [GOOD[0], "11010519491331002X", *GOOD[2:]],  # no 13th month
        [GOOD[0], "", *GOOD[2:]],
    ]
    errors = row_errors(orgs["city"], *rows)
    assert errors[0] == ["姓名：姓名只能使用汉字或拉丁字母（少数民族姓名可用“·”）"]
    assert errors[1][0].startswith("身份证号：")
    assert errors[2] == ["身份证号：身份证号码中的出生日期不存在"]
    assert errors[3] == ["身份证号：请填写身份证号码"]


def test_an_id_number_stored_as_a_number_is_explained(orgs):
    (errors,) = row_errors(orgs["city"], [GOOD[0], 110105194912310020, *GOOD[2:]])
    assert errors == ["身份证号：被存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写"]


def test_phones_stored_as_numbers_and_names_of_codes_are_accepted(orgs):
    row = [GOOD[0], GOOD[1], 13812345678, "food_delivery", "meituan 饿了么", "tianning", ""]
    parsed = roster.parse(roster_xlsx([row]), unit=orgs["city"])
    (r,) = parsed.rows
    assert r.ok, r.errors
    assert (r.phone, r.industry, r.district, len(r.platform_ids)) == (
        "13812345678",
        "food_delivery",
        "tianning",
        2,
    )


def test_a_repeated_id_number_in_the_file_points_to_the_first_row(orgs):
    errors = row_errors(orgs["city"], GOOD, ["李四", *GOOD[1:]])
    assert errors == [[], ["身份证号：与第 2 行重复"]]


def test_district_unit_imports_only_its_district(orgs):
    (errors,) = row_errors(orgs["tianning"], [*GOOD[:5], "钟楼区"])
    assert errors == ["工作区域：不属于天宁区总工会，本单位只能导入本区域会员"]
    # a blank district means the unit's own
    parsed = roster.parse(roster_xlsx([[*GOOD[:5], ""]]), unit=orgs["tianning"])
    assert parsed.rows[0].district == "tianning"


def test_preview_counts_errors_and_existing_members(alice, orgs):
    make_member(id_number="11010519491231002X")
    rows = [
        GOOD,
        ['=HYPERLINK("http://x")', "320402199001011231", "+8613812345678", "快递", "", "天宁区"],
    ]
    rows += roster_sample(3, seed=1)
    r = upload(alice, roster_xlsx(rows), unit=orgs["tianning"])
    assert r.status_code == 302
    imp = RosterImport.objects.get()
    assert (imp.total_rows, imp.valid_rows, imp.error_rows, imp.existing_count) == (5, 4, 1, 1)
    page = alice.get(r.url).content.decode()
    assert "320***********1231" in page and "320402199001011231" not in page
    assert "=HYPERLINK(&quot;http://x&quot;)" in page  # escaped text, never markup
    assert "将导入 4 条有效记录（其中 1 人已是会员，将跳过）" in page
    assert Member.objects.count() == 1  # nothing written before the commit


@pytest.mark.parametrize("evil", ["=1+2", "+1+2", "-1+2", "@SUM(A1)"])
def test_error_file_writes_formula_looking_cells_as_text(alice, orgs, evil):
    row = [evil, "110105194912310021", evil, evil, evil, evil, evil]
    upload(alice, roster_xlsx([row]), unit=orgs["tianning"])
    imp = RosterImport.objects.get()
    r = alice.get(f"/staff/imports/{imp.pk}/errors.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    header, line = list(ws.iter_rows(values_only=False))[:2]
    assert [c.value for c in header][-1] == "错误说明"
    for cell in line[1:]:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
    assert line[1].value == evil and line[4].value == evil
    assert line[2].value == "110105194912310021"  # in full: to be corrected and uploaded again
    assert "姓名：" in line[-1].value and "身份证号码校验位不正确" in line[-1].value


def test_an_upload_gone_before_its_validation_fails_with_a_message(alice, orgs):
    f = io.BytesIO(roster_xlsx([GOOD]))
    f.name = "roster.xlsx"
    r = alice.post(URL, {"unit": orgs["tianning"].pk, "file": f})
    imp = RosterImport.objects.get()
    roster.upload_path(imp).unlink()
    runner.run_until_empty()
    assert "无法导入：上传的文件已不在服务器上，请重新上传" in refused_by_the_job(alice, r)


def test_an_upload_never_validated_expires_with_its_encrypted_file(
    alice, orgs, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    f = io.BytesIO(roster_xlsx([GOOD]))
    f.name = "roster.xlsx"
    alice.post(URL, {"unit": orgs["tianning"].pk, "file": f})
    imp = RosterImport.objects.get()
    Job.objects.filter(pk=imp.job_id).update(status=Job.Status.FAILED)  # its worker gave up
    RosterImport.objects.filter(pk=imp.pk).update(created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert roster.roster_purge_stale() == 1
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.EXPIRED
    assert not roster.upload_path(imp).exists()

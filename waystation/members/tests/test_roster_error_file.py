"""The error file of an import is the roster to correct: the refused rows in full (ID numbers and
phones, for staff in scope, the download audited), on the template's columns, so that once
corrected it is uploaded again as it is — and kept, encrypted, only as long as staged rows."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from waystation.jobs import runner
from waystation.members import roster
from waystation.members.models import Member, RosterImport
from waystation.privacy.models import AuditAction, AuditLog

pytestmark = pytest.mark.django_db
URL = "/staff/imports/"
GOOD = ["王小明", "11010519491231002X", "13812345678", "外卖送餐", "美团", "天宁区"]
BAD = ["李 四", "110105194912310021", "13912345678", "外卖", "美团", "新北去"]


def _upload(client, unit, data: bytes, name: str) -> RosterImport:
    f = io.BytesIO(data)
    f.name = name
    assert client.post(URL, {"unit": unit.pk, "file": f}).status_code == 302
    runner.run_until_empty()
    return RosterImport.objects.get(filename=name)


def _office_xlsx() -> bytes:
    """As an office has it: a title row, a join date typed as a date."""
    wb = Workbook()
    ws = wb.active
    ws.append(["天宁区外卖送餐行业会员花名册"])
    ws.append(["姓名", "身份证号码", "手机号码", "行业", "平台", "工作区域", "入会日期"])
    ws.append([*GOOD, timezone.datetime(2024, 3, 1)])
    ws.append([*BAD, timezone.datetime(2024, 3, 2)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_corrected_error_file_uploads_again_and_imports_the_rest(people, as_user, orgs):
    carl = as_user(people.carl)  # the city federation's: every district
    first = _upload(carl, orgs["city"], _office_xlsx(), "花名册.xlsx")
    assert (first.valid_rows, first.error_rows) == (1, 1)
    r = carl.get(f"/staff/imports/{first.pk}/errors.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["名册"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["行号", "姓名", "身份证号", "手机号", "行业", "平台", "工作区域",
                       "入会日期", "错误说明"]  # fmt: skip
    assert rows[1][:8] == [4, "李 四", "110105194912310021", "13912345678", "外卖", "美团",
                           "新北去", "2024-03-02"]  # fmt: skip
    assert "是否为“新北区”" in rows[1][8]
    log = AuditLog.objects.get(action=AuditAction.MEMBER_IMPORT_ERRORS)
    assert (log.actor, log.detail["full"]) == (people.carl, True)

    ws["B2"] = "李四"  # no space inside a Chinese name
    ws["C2"] = "110105194912310046"  # the right check digit
    ws["G2"] = "新北区"
    buf = io.BytesIO()
    wb.save(buf)
    second = _upload(carl, orgs["city"], buf.getvalue(), "花名册-改正.xlsx")
    assert second.errors_preview == []
    assert (second.valid_rows, second.error_rows) == (1, 0)
    carl.post(f"/staff/imports/{first.pk}/commit/")
    carl.post(f"/staff/imports/{second.pk}/commit/")
    runner.run_until_empty()
    assert sorted(Member.objects.values_list("name", "work_district_id")) == [
        ("李四", "xinbei"),
        ("王小明", "tianning"),
    ]


def test_another_units_staff_cannot_download_the_error_file(people, as_user, orgs):
    imp = _upload(as_user(people.alice), orgs["tianning"], _office_xlsx(), "t.xlsx")
    assert as_user(people.charlie).get(f"/staff/imports/{imp.pk}/errors.xlsx").status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.MEMBER_IMPORT_ERRORS).exists()


def test_the_refused_rows_are_encrypted_on_disk(people, as_user, orgs):
    imp = _upload(as_user(people.alice), orgs["tianning"], _office_xlsx(), "t.xlsx")
    stored = roster.errors_path(imp).read_bytes()
    assert b"110105194912310021" not in stored and "李".encode() not in stored


def test_the_refused_rows_go_with_the_staged_ones(people, as_user, orgs):
    imp = _upload(as_user(people.alice), orgs["tianning"], _office_xlsx(), "t.xlsx")
    RosterImport.objects.filter(pk=imp.pk).update(created_at=timezone.now() - timedelta(days=8))
    roster.roster_purge_stale()
    assert not roster.errors_path(imp).exists()

"""Roster files as offices have them, each made here as the program would save it: Excel 97–2003
(.xls) and WPS (.et, the same format under WPS's name), CSV in GBK or UTF-8 with or without its
BOM, a title row (merged across the columns) above the header, the roster on a sheet that is
not the first. And the limits that protect the server hold for each of them: a 5 KB .xls that
asks for a grid of 16 million cells, a CSV beyond the row limit."""

import io

import pytest
import xlwt
from openpyxl import Workbook

from waystation.jobs import runner
from waystation.members.demo import roster_sample
from waystation.members.models import Member, RosterImport
from waystation.members.roster.columns import HEADERS

URL = "/staff/imports/"
TITLE = "天宁区快递行业工会会员花名册"
ROWS = roster_sample(3)  # valid rows, 天宁区, in the template's column order

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(people, as_user):
    return as_user(people.alice)


def _upload(client, unit, data: bytes, name: str) -> RosterImport:
    f = io.BytesIO(data)
    f.name = name
    r = client.post(URL, {"unit": unit.pk, "file": f})
    assert r.status_code == 302, r.content.decode()[:2000]
    runner.run_until_empty()
    return RosterImport.objects.get(filename=name)


def _xls(*, title: bool, first_sheet: str | None, rows=ROWS) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    if first_sheet:
        book.add_sheet(first_sheet).write(0, 0, "请在“会员”表中填写")
    sheet = book.add_sheet("会员")
    top = 0
    if title:
        sheet.write_merge(0, 0, 0, len(HEADERS) - 1, TITLE)
        top = 1
    for col, header in enumerate(HEADERS):
        sheet.write(top, col, header)
    for i, row in enumerate(rows, start=top + 1):
        for col, value in enumerate(row):
            sheet.write(i, col, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _xlsx_with_title_on_second_sheet() -> bytes:
    wb = Workbook()
    wb.active.title = "封面"
    wb.active["A1"] = "2024年度会员花名册"
    ws = wb.create_sheet("天宁区")
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.append(["填报单位：天宁区快递行业工会", "", "", "", "", "", "填报日期：2024-05-01"])
    ws.append(HEADERS)
    for row in ROWS:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv(encoding: str, *, bom: bool = False) -> bytes:
    lines = [",".join(HEADERS), *(",".join(r) for r in ROWS)]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("名册.xls", lambda: _xls(title=True, first_sheet="说明")),
        ("名册.et", lambda: _xls(title=False, first_sheet=None)),
        ("名册.xlsx", _xlsx_with_title_on_second_sheet),
        ("名册-gbk.csv", lambda: _csv("gbk")),
        ("名册-utf8.csv", lambda: _csv("utf-8")),
        ("名册-bom.csv", lambda: _csv("utf-8", bom=True)),
    ],
)
def test_each_format_is_read_to_the_same_rows(alice, orgs, name, make):
    imp = _upload(alice, orgs["tianning"], make(), name)
    assert (imp.status, imp.error) == (RosterImport.Status.VALIDATED, "")
    assert (imp.total_rows, imp.valid_rows, imp.errors_preview) == (3, 3, [])


def test_row_numbers_are_the_spreadsheets_under_a_title_row(alice, orgs):
    bad = [[*ROWS[0][:3], "外卖送餐", "美团", "火星区", ""]]
    imp = _upload(alice, orgs["tianning"], _xls(title=True, first_sheet=None, rows=bad), "t.xls")
    (error,) = imp.errors_preview
    assert error["line"] == 3  # title in row 1, header in row 2
    assert error["errors"] == ["工作区域：“火星区”不是有效的区域"]


def test_an_xls_roster_is_committed_as_members(alice, orgs):
    imp = _upload(alice, orgs["tianning"], _xls(title=True, first_sheet="说明"), "r.xls")
    alice.post(f"/staff/imports/{imp.pk}/commit/")
    runner.run_until_empty()
    names = set(Member.objects.values_list("name", flat=True))
    assert names == {r[0] for r in ROWS}


def test_a_5_kb_xls_asking_for_16_million_cells_is_refused_with_the_cell(alice, orgs):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名册")
    for col, header in enumerate(HEADERS):
        sheet.write(0, col, header)
    sheet.write(65535, 255, "x")
    buf = io.BytesIO()
    book.save(buf)
    assert len(buf.getvalue()) < 8 * 1024
    imp = _upload(alice, orgs["tianning"], buf.getvalue(), "bomb.xls")
    assert imp.status == RosterImport.Status.FAILED
    assert "第 65,536 行、第 256 列（IV65536）" in imp.error


def test_a_csv_beyond_the_row_limit_is_refused(alice, orgs, settings):
    settings.XLSX_MAX_ROWS = 3
    imp = _upload(alice, orgs["tianning"], _csv("utf-8"), "big.csv")
    assert imp.status == RosterImport.Status.FAILED
    assert "上限为 3 行" in imp.error


def test_an_id_number_a_csv_holds_as_a_number_is_explained(alice, orgs):
    row = [ROWS[0][0], "3.20402E+17", *ROWS[0][2:]]
    data = (",".join(HEADERS) + "\n" + ",".join(row) + "\n").encode("gbk")
    imp = _upload(alice, orgs["tianning"], data, "n.csv")
    assert imp.errors_preview[0]["errors"] == [
        "身份证号：被存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写"
    ]

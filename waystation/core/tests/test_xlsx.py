"""Uploaded workbooks are checked before they are read, and read in a child of bounded memory."""

import io
import os
import zipfile
from datetime import date, datetime

import pytest

from waystation.core import xlsx
from waystation.members.exports import xlsx_bytes

from .files import cell, far_cell_workbook, workbook

TOO_LARGE = (
    "表格过大：数据延伸到第 {rows} 行、第 {columns} 列（{ref}），上限为 250,000 行、100 列、"
    "共 5,000,000 个单元格。请删除表格末尾多余的行和列（或把数据复制到新工作簿）后重新上传"
)


@pytest.fixture(autouse=True)
def _default_limits(settings):
    settings.XLSX_MAX_ROWS = 250_000
    settings.XLSX_MAX_COLUMNS = 100
    settings.XLSX_MAX_CELLS = 5_000_000
    settings.XLSX_MAX_BYTES = 400 * 1024 * 1024
    settings.XLSX_PARSE_MEMORY_MB = 2048


def refused(data: bytes, **kwargs) -> str:
    with pytest.raises(xlsx.XlsxError) as err:
        xlsx.read(data, **kwargs)
    return str(err.value)


def test_a_workbook_is_read_with_its_values_and_their_types():
    data = xlsx_bytes(
        ["文本", "整数", "小数", "日期", "时刻"],
        [["王小明", 12, 1.5, date(2024, 3, 1), datetime(2024, 3, 1, 8, 30)], ["", None, 0, "", ""]],
    )
    rows = xlsx.read(data)
    assert rows[0] == ["文本", "整数", "小数", "日期", "时刻"]
    assert rows[1][:3] == ["王小明", 12, 1.5]
    assert rows[1][3] in (date(2024, 3, 1), datetime(2024, 3, 1))  # calamine: a midnight
    assert rows[1][4] == datetime(2024, 3, 1, 8, 30)
    assert rows[2] == ["", "", 0, "", ""]


@pytest.mark.parametrize(
    ("ref", "rows", "columns"),
    [("XFD1048576", "1,048,576", "16,384"), ("AD1000000", "1,000,000", "30")],
)
def test_one_far_cell_is_refused_before_the_sheet_is_read(ref, rows, columns):
    data = far_cell_workbook(ref)
    assert len(data) < 5_000
    xlsx.check(data)  # no dimension declared: only reading the sheet's XML can tell
    assert refused(data) == TOO_LARGE.format(rows=rows, columns=columns, ref=ref)


def test_a_declared_dimension_over_the_limits_is_refused_by_the_cheap_check():
    data = far_cell_workbook("XFD1048576", declared=True)
    with pytest.raises(xlsx.XlsxError) as err:
        xlsx.check(data)
    assert str(err.value) == TOO_LARGE.format(rows="1,048,576", columns="16,384", ref="XFD1048576")


def test_a_dimension_that_lies_is_not_believed():
    data = workbook(
        f'<row r="1">{cell("A1", "a")}</row><row r="300000">{cell("B300000", "b")}</row>',
        dimension="A1:B2",
    )
    xlsx.check(data)
    assert refused(data) == TOO_LARGE.format(rows="300,000", columns="2", ref="B300000")


def test_cells_are_placed_as_the_reader_places_them(settings):
    """Cells without a reference sit next to the previous one, in a row numbered by its own
    reference or after the previous row; cells without a value (a style, a formula with no
    result) do not count."""
    inline = '<c t="inlineStr"><is><t>{}</t></is></c>'
    sheet = (
        f"<row>{inline.format('a')}</row>"
        f'<row r="5">{cell("B3", "b")}{inline.format("c")}</row>'
        f"<row>{inline.format('d')}</row>"
        '<row r="9"><c r="Z9" s="1"/><c r="Y9"><f>1+1</f></c></row>'
    )
    data = workbook(sheet)
    rows = xlsx.read(data)
    assert rows == [
        ["a", "", ""],
        ["", "", ""],
        ["", "b", ""],
        ["", "", ""],
        ["", "", "c"],
        ["d", "", ""],
    ]
    settings.XLSX_MAX_ROWS = 5  # the sixth row holds "d"
    assert "数据延伸到第 6 行、第 3 列（C6）" in refused(data)
    settings.XLSX_MAX_ROWS, settings.XLSX_MAX_COLUMNS = 6, 2  # "c" is in the third column
    assert "数据延伸到第 6 行、第 3 列（C6）" in refused(data)


def test_a_prefixed_namespace_does_not_hide_cells():
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = f'<x:row xmlns:x="{ns}" r="400000"><x:c r="A400000"><x:v>1</x:v></x:c></x:row>'
    assert "数据延伸到第 400,000 行、第 1 列（A400000）" in refused(workbook(sheet))


def test_a_part_that_inflates_a_thousandfold_is_refused():
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(far_cell_workbook("B2"))) as src,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z,
    ):
        for item in src.infolist():
            z.writestr(item, src.read(item))
        z.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))
    assert (
        refused(buf.getvalue())
        == "文件中有部分解压后异常巨大（压缩比超过 100:1），无法读取；请另存为新的 .xlsx 后重试"
    )


def test_the_uncompressed_size_is_limited(settings):
    data = xlsx_bytes(["姓名"], [[f"人{i}"] for i in range(5000)])
    settings.XLSX_MAX_BYTES = 100 * 1024
    assert refused(data) == "文件解压后超过 0.1 MB，请删除多余的工作表、图片或行列后重新上传"


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 not a zip", workbook("<row><c>", dimension=None), far_cell_workbook("B2")[:-40]],
    ids=["not-a-zip", "broken-xml", "truncated"],
)
def test_a_broken_file_is_a_clear_error(data):
    assert (
        refused(data) == "文件已损坏或不是 Excel 工作簿（.xlsx），无法读取；请另存为 .xlsx 后重试"
    )


def test_a_panic_of_the_reader_is_a_clear_error_not_a_crash():
    """An empty shared-string index makes calamine panic (a BaseException in Python)."""
    sheet = f'<row r="1">{cell("A1", "姓名")}<c r="B1" t="s"><v></v></c></row>'
    assert refused(workbook(sheet)).startswith("文件已损坏或不是 Excel 工作簿")


@pytest.mark.parametrize("ref", ["XFD1048576", "AD1000000"])
def test_the_reader_runs_in_a_child_whose_memory_is_bounded(settings, ref):
    """With the sheet limits out of the way, the reader asks for 512 GiB (XFD1048576) or about
    1 GB (AD1000000): the child's allocation fails and only the child dies."""
    settings.XLSX_MAX_ROWS = settings.XLSX_MAX_COLUMNS = settings.XLSX_MAX_CELLS = 10**12
    settings.XLSX_PARSE_MEMORY_MB = 256
    pid = os.getpid()
    assert refused(far_cell_workbook(ref)) == (
        "文件过大或过于复杂，读取时超出了服务器的内存或时间上限（256 MB），"
        "请删除多余的行列或分批上传"
    )
    assert os.getpid() == pid
    assert xlsx.read(far_cell_workbook("B2"))[1][:2] == ["", "x"]  # and the next file reads

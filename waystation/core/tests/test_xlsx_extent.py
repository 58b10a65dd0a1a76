"""A sheet's extent is found by byte patterns when every cell carries its reference up front, by
expat otherwise; the two always come to the same verdict, and the child imports no Django."""

import io
import subprocess
import sys
import zipfile

import pytest

from waystation.core import xlsx, xlsx_child
from waystation.core.xlsx_child import Extent, Limits
from waystation.members.demo import roster_sample, roster_xlsx

from .files import cell, workbook

LIMITS = Limits(rows=250_000, columns=100, cells=5_000_000, bytes=400 * 1024 * 1024)
PART = "xl/worksheets/sheet1.xml"
INLINE = '<c t="inlineStr"><is><t>x</t></is></c>'

# (sheetData, the bound the patterns find, or None when they leave it to expat)
SHEETS = {
    "every-cell-with-its-reference": (
        f'<row r="1">{cell("A1", "a")}{cell("C1", "c")}</row><row r="7">{cell("B7", "b")}</row>',
        Extent(rows=7, columns=3, cells=3),
    ),
    "as-excel-writes-it": (
        '<row r="1" spans="1:2" x14ac:dyDescent="0.25"><c r="A1" s="1" t="s"><v>0</v></c>'
        '<c r="B1"><v>12</v></c></row>',
        Extent(rows=1, columns=2, cells=2),
    ),
    "rows-without-r-cells-with-it": (
        f"<row>{cell('A1', 'a')}</row><row>{cell('C5', 'b')}</row>",
        Extent(rows=5, columns=3, cells=2),
    ),
    "absolute-references": (f'<row r="1">{cell("$B$4", "a")}</row>', Extent(4, 2, 1)),
    "cells-out-of-order": (
        f'<row r="9">{cell("D9", "d")}</row><row r="2">{cell("AB2", "b")}</row>',
        Extent(rows=9, columns=28, cells=2),
    ),
    "a-near-cell-with-only-a-style": (  # a bound, not the extent
        f'<row r="1">{cell("A1", "a")}<c r="D3" s="1"/></row>',
        Extent(rows=3, columns=4, cells=2),
    ),
    "a-cell-without-r": (f'<row r="1">{cell("A1", "a")}{INLINE}</row>', None),
    "rows-and-cells-without-r": (f"<row>{INLINE}</row><row>{INLINE}{INLINE}</row>", None),
    "a-bare-cell": ('<row r="1"><c><v>1</v></c></row>', None),
    "an-empty-cell-without-r": (f'<row r="1"><c/>{cell("B1", "b")}</row>', None),
    "r-not-first": ('<row r="1"><c t="inlineStr" r="C3"><is><t>x</t></is></c></row>', None),
    "a-tab-before-r": ('<row r="1"><c\tr="C3" t="inlineStr"><is><t>x</t></is></c></row>', None),
    "a-prefixed-cell": (
        '<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="4">'
        '<x:c r="A4"><x:v>1</x:v></x:c></x:row>',
        None,
    ),
    "a-comment-holding-a-far-cell": (
        f'<row r="1">{cell("A1", "a")}<!-- {cell("XFD1048576", "x")} --></row>',
        None,
    ),
    "cdata": (
        '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<b>]]></t></is></c></row>',
        None,
    ),
    "a-far-cell-with-only-a-style": (
        f'<row r="1">{cell("A1", "a")}<c r="XFD1" s="1"/></row>',
        None,
    ),
    "a-far-cell": (
        f'<row r="1">{cell("A1", "a")}</row><row r="300000">{cell("B300000", "b")}</row>',
        None,
    ),
    "a-wide-cell": (f'<row r="1">{cell("CW1", "a")}</row>', None),
    "a-grid-over-the-cells-limit": (
        f'<row r="1">{cell("CV1", "a")}</row><row r="50001">{cell("A50001", "b")}</row>',
        None,
    ),
}


def opened(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


@pytest.mark.parametrize(("sheet", "bound"), SHEETS.values(), ids=SHEETS.keys())
def test_the_quick_bound_and_the_exact_scan_come_to_the_same_verdict(sheet, bound):
    zf = opened(workbook(sheet))
    exact = xlsx_child._scan(zf, PART)
    assert xlsx_child._quick_bound(zf, PART, LIMITS) == bound
    found = xlsx_child.extent(zf, PART, LIMITS)
    assert found.over(LIMITS) == exact.over(LIMITS)
    if bound is None:
        assert found == exact  # the exact scan decided
    else:
        assert exact.rows <= bound.rows and exact.columns <= bound.columns
        assert exact.cells <= bound.cells and not exact.over(LIMITS)


def test_a_dimension_that_lies_is_read_by_neither():
    sheet = f'<row r="1">{cell("A1", "a")}</row><row r="300000">{cell("B300000", "b")}</row>'
    zf = opened(workbook(sheet, dimension="A1:B2"))
    assert xlsx_child._quick_bound(zf, PART, LIMITS) is None  # over the limits: expat decides
    assert xlsx_child.extent(zf, PART, LIMITS) == Extent(rows=300_000, columns=2, cells=2)
    small = opened(workbook(f'<row r="1">{cell("C9", "a")}</row>', dimension="A1:A1"))
    assert xlsx_child._quick_bound(small, PART, LIMITS) == Extent(rows=9, columns=3, cells=1)


def test_a_reference_neither_reads_is_left_to_the_exact_scan_which_refuses_it():
    zf = opened(workbook(f'<row r="1">{cell("b4", "a")}</row>'))
    assert xlsx_child._quick_bound(zf, PART, LIMITS) is None
    with pytest.raises(ValueError, match="b4"):
        xlsx_child.extent(zf, PART, LIMITS)


def with_sheet(data: bytes, sheet: bytes) -> bytes:
    buf = io.BytesIO()
    with opened(data) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, sheet if item.filename == PART else src.read(item))
    return buf.getvalue()


def test_a_dtd_is_left_to_expat_which_refuses_it():
    data = workbook(f'<row r="1">{cell("A1", "a")}</row>')
    xml = (
        opened(data).read(PART).replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY e "x">]><worksheet')
    )
    zf = opened(with_sheet(data, xml))
    assert xlsx_child._quick_bound(zf, PART, LIMITS) is None
    with pytest.raises(ValueError, match="DTD"):
        xlsx_child.extent(zf, PART, LIMITS)


def test_a_sheet_in_utf16_is_left_to_expat_which_finds_its_far_cell():
    """Its tags are not the bytes the patterns look for: a NUL byte sends it to expat."""
    data = workbook(f'<row r="1">{cell("XFD1048576", "x")}</row>')
    xml = opened(data).read(PART).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    zf = opened(with_sheet(data, xml.encode("utf-16")))
    assert xlsx_child._quick_bound(zf, PART, LIMITS) is None
    assert xlsx_child.extent(zf, PART, LIMITS) == Extent(rows=1_048_576, columns=16_384, cells=1)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 64])
def test_no_pattern_is_lost_where_the_bytes_are_cut_into_chunks(monkeypatch, chunk):
    monkeypatch.setattr(xlsx_child, "_QUICK_CHUNK", chunk)
    decided = SHEETS["every-cell-with-its-reference"]
    assert xlsx_child._quick_bound(opened(workbook(decided[0])), PART, LIMITS) == decided[1]
    for sheet in ("a-prefixed-cell", "a-cell-without-r", "a-comment-holding-a-far-cell"):
        zf = opened(workbook(SHEETS[sheet][0]))
        assert xlsx_child._quick_bound(zf, PART, LIMITS) is None, sheet


def test_a_prefix_longer_than_a_chunk_does_not_hide_a_cell(monkeypatch):
    """Names of 200 to 263 letters put the cut between chunks at every place in the one `:c `
    of the sheet."""
    monkeypatch.setattr(xlsx_child, "_QUICK_CHUNK", 64)
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    for length in range(200, 264):
        p = "x" * length
        sheet = f'<{p}:row xmlns:{p}="{ns}" r="1"><{p}:c r="XFD1" s="1"/></{p}:row>'
        assert xlsx_child._quick_bound(opened(workbook(sheet)), PART, LIMITS) is None, length


def test_the_rosters_we_write_are_bounded_by_the_patterns():
    zf = opened(roster_xlsx(roster_sample(50, seed=3)))
    assert xlsx_child._quick_bound(zf, PART, LIMITS) == Extent(rows=51, columns=7, cells=357)


def test_a_far_cell_with_only_a_style_is_read_once_the_exact_scan_clears_it():
    data = workbook(f'<row r="1">{cell("A1", "a")}<c r="XFD1" s="1"/></row>')
    assert xlsx.read(data) == [["a"]]


def test_a_second_r_in_a_cell_is_never_obeyed():
    """Malformed (expat refuses it); calamine takes the first, which the bound counted."""
    sheet = '<row r="1"><c r="B2" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    zf = opened(workbook(sheet))
    assert xlsx_child._quick_bound(zf, PART, LIMITS) == Extent(rows=2, columns=2, cells=1)
    assert xlsx.read(workbook(sheet)) == [["", ""], ["", "x"]]


def test_the_child_imports_no_django():
    """It starts in a fraction of the time with Django left out (and needs none of it)."""
    probe = (
        "import runpy, sys; runpy.run_path(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'waystation')))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", probe, xlsx_child.__file__],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == "[]\n"

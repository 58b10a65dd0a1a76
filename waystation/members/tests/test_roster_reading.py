"""Roster reading (members/roster/reading.py): the reader's cells to rows, without Django."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from waystation.members.roster.reading import SheetError, sheet_rows, text

ROOT = Path(__file__).resolve().parents[3]
HEADER = ["姓名", "身份证号", "手机号", "行业", "平台", "工作区域"]


def test_rows_carry_their_excel_line_and_raw_values_by_column():
    cells = [
        ["备注", *HEADER],
        ["", "王小明", "11010519491231002X", "13812345678", "外卖送餐", "美团", "天宁区"],
        ["", "", "", "", "", "", ""],  # empty: skipped, but the lines after keep their numbers
        ["x", "李四", "110105194912310021"],  # short: the missing cells read as ""
    ]
    rows = sheet_rows(cells)
    assert [r.line for r in rows] == [2, 4]
    assert rows[0].raw == {
        "name": "王小明",
        "id_number": "11010519491231002X",
        "phone": "13812345678",
        "industry": "外卖送餐",
        "platforms": "美团",
        "district": "天宁区",
        "joined_on": "",  # optional column absent
    }
    assert rows[1].raw["phone"] == rows[1].raw["district"] == ""
    assert rows[0].ok and rows[0].errors == []


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ([], "文件中没有数据：第一行应为列名，从第二行起每行一人"),
        ([HEADER, ["", "", "", "", "", ""]], "文件中只有列名，没有会员数据"),
        ([[*HEADER, "身份证"], ["王小明"]], "列“身份证号”出现了两次，请只保留一列"),
        (
            [["姓名", "手机"], ["王小明", "13812345678"]],
            "缺少必填列：身份证号、行业、平台、工作区域。第一行应为列名，请使用模板："
            "姓名、身份证号、手机号、行业、平台、工作区域、入会日期",
        ),
    ],
)
def test_a_sheet_that_cannot_be_imported_says_why(cells, message):
    with pytest.raises(SheetError) as e:
        sheet_rows(cells)
    assert str(e.value) == message


def test_cells_read_as_the_text_staff_typed():
    assert [text(v) for v in (" 王 ", None, 13812345678.0, 1.5, True, date(2024, 3, 1))] == [
        "王",
        "",
        "13812345678",
        "1.5",
        "是",
        "2024-03-01",
    ]


def test_reading_needs_no_django():
    """The module and what it imports load with every `django` import refused."""
    code = """
import importlib.abc, sys, types

class NoDjango(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "django" or name.startswith("django."):
            raise ImportError("imports Django: " + name)

sys.meta_path.insert(0, NoDjango())
package = types.ModuleType("waystation.members.roster")  # not its __init__, which has services
package.__path__ = ["waystation/members/roster"]
sys.modules["waystation.members.roster"] = package
from waystation.members.roster.reading import sheet_rows
header = ["姓名", "身份证号", "手机号", "行业", "平台", "工作区域"]
print(sheet_rows([header, ["王"]])[0].raw["name"])
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (out.returncode, out.stdout, out.stderr) == (0, "王\n", "")

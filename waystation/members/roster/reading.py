"""From the cells the workbook reader returns (core/xlsx.py: rows of values, the first row the
headers) to typed records: one `Row` per non-empty data row, with its Excel row number and its
raw values by column key. No Django: a sheet that cannot be imported raises `SheetError` with a
message for staff, which the validation turns into the import's file error."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .columns import HEADER_OF, HEADERS, REQUIRED, header_key

MAX_ROWS = 200_000


class SheetError(ValueError):
    """The sheet as a whole cannot be imported (no data, missing or repeated columns, too many
    rows); the message is for staff."""


@dataclass(slots=True)
class Row:
    """One data row of the sheet: its Excel row number, the raw values, and once validated
    either the clean values or the error messages."""

    line: int
    raw: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    name: str = ""
    id_number: str = ""
    id_hash: str = ""
    phone: str = ""
    industry: str = ""
    district: str = ""
    platform_ids: list[int] = field(default_factory=list)
    joined_on: date | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def text(value: Any) -> str:
    """A cell as the text staff typed: numbers without ".0", dates in ISO form, trimmed."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


HEADER_ROWS = 20  # title rows, merged or not, an office may put above the column names


def _header_row(cells: list[list[Any]]) -> int:
    """The index of the row of column names: of the first rows, the first that names the most
    known columns (a title such as "天宁区快递行业工会会员花名册", merged across the columns
    or not, names none); the first row when none names any."""
    best, best_n = 0, 0
    for i, row in enumerate(cells[:HEADER_ROWS]):
        n = len({k for k in (header_key(text(c)) for c in row) if k})
        if n > best_n:
            best, best_n = i, n
    return best


def sheet_rows(cells: list[list[Any]]) -> list[Row]:
    """The non-empty data rows of a sheet under its row of column names (which may have title
    rows above it), each with its raw value of every known column ("" for a cell missing at the
    end of a row, and for the optional join date if it has no column), and its row number as
    the spreadsheet shows it. Raises SheetError."""
    if not cells:
        raise SheetError("文件中没有数据：第一行应为列名，从第二行起每行一人")
    head = _header_row(cells)
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells[head]):
        key = header_key(text(cell))
        if key and key in columns:
            raise SheetError(f"列“{HEADER_OF[key]}”出现了两次，请只保留一列")
        if key:
            columns[key] = i
    missing = [header for header, key in REQUIRED if key not in columns]
    if missing:
        raise SheetError(
            f"缺少必填列：{'、'.join(missing)}。第一行应为列名，请使用模板：" + "、".join(HEADERS)
        )
    data = [
        (line, values)
        for line, values in enumerate(cells[head + 1 :], start=head + 2)
        if any(v not in ("", None) for v in values)  # calamine reads empty cells as ""
    ]
    if not data:
        raise SheetError("文件中只有列名，没有会员数据")
    if len(data) > MAX_ROWS:
        raise SheetError(f"一次最多导入 {MAX_ROWS:,} 行，本文件有 {len(data):,} 行，请分批导入")
    rows = []
    for line, values in data:
        raw = {key: values[i] if i < len(values) else "" for key, i in columns.items()}
        raw.setdefault("joined_on", "")
        rows.append(Row(line=line, raw=raw))
    return rows

"""Spreadsheet exports. Personal data is masked by the callers, and no cell is ever written
as a formula: text starting with = + - @ stays text (spreadsheet formula injection)."""

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], *, title: str = "Sheet1") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(header)

    def cell(value: Any) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str) and c.data_type == "f":
            c.data_type = "s"  # keep the text exactly, never as a formula
        return c

    for row in rows:
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

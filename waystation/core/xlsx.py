"""Reading uploaded .xlsx workbooks without trusting them. Every .xlsx upload goes through `read`,
and so do the .xls, WPS .et and CSV files of a caller that takes them (`formats`): the same
size limits, read in the same child process of bounded memory, which checks an .xls sheet's
grid and a CSV file's rows against the same limits before it sends any row back.

The reader (python-calamine, Rust) materialises a sheet as a dense grid from its first to its
farthest cell, so a 5 KB file with one cell at XFD1048576 asks for 512 GiB, and a failed
allocation in Rust aborts the whole process: there is no Python exception to catch. So:

1. `check` — cheap and bounded, fit for a web request: the file is a zip of at most MAX_PARTS
   parts whose declared sizes add up to at most `Limits.bytes` and none compressed more than
   MAX_RATIO:1; the sheet is found through workbook.xml and its relationships, and its declared
   `<dimension ref>` is within the limits. zipfile stops each part at its declared size and
   checks its CRC, so the declared sizes cannot lie to anything that reads through it.
2. In a child process whose address space and CPU time are limited (`XLSX_PARSE_MEMORY_MB`,
   `PARSE_CPU_SECONDS`), core/xlsx_child.py: the sheet's XML is read to find its true farthest
   row and column and its count of cells (the declared dimension may lie or be missing) — by
   byte patterns when every cell carries its reference first, as spreadsheet programs write
   them, else through expat — and only a sheet within the limits is then read by calamine; its
   rows come back as JSON on a pipe. Whatever happens in the child — a Rust abort, a panic,
   running out of memory or time — only the child dies, and the caller gets an XlsxError with a
   message.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from waystation.core import xlsx_child
from waystation.core.xlsx_child import (
    CORRUPT,
    OK,
    PARSE_CPU_SECONDS,
    TOO_LARGE,
    Extent,
    Limits,
    Stop,
    cell_ref,
    local,
    stream,
)

log = logging.getLogger(__name__)

MAX_PARTS = 10_000
MAX_RATIO = 100  # deflated XML of a real sheet is about 8:1; zip bombs are 1000:1
RATIO_FROM = 1024 * 1024  # small parts may compress any amount
PEEK_BYTES = 1024 * 1024  # how far into a sheet `check` looks for `<dimension ref>`
PART_BYTES = 10 * 1024 * 1024  # workbook.xml and its relationships


class XlsxError(ValidationError):
    """A workbook that cannot be read; its message is for the person who uploaded it."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.text = message

    def __str__(self) -> str:
        return self.text


def _corrupt() -> XlsxError:
    return XlsxError(
        _("文件已损坏或不是 Excel 工作簿（.xlsx），无法读取；请另存为 .xlsx 后重试"), code="corrupt"
    )


def _default_limits() -> Limits:
    return Limits(
        rows=settings.XLSX_MAX_ROWS,
        columns=settings.XLSX_MAX_COLUMNS,
        cells=settings.XLSX_MAX_CELLS,
        bytes=settings.XLSX_MAX_BYTES,
    )


def column_letters(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _too_large(extent: Extent, limits: Limits) -> XlsxError:
    return XlsxError(
        _(
            "表格过大：数据延伸到第 %(rows)s 行、第 %(columns)s 列（%(cell)s），"
            "上限为 %(max_rows)s 行、%(max_columns)s 列、共 %(max_cells)s 个单元格。"
            "请删除表格末尾多余的行和列（或把数据复制到新工作簿）后重新上传"
        )
        % {
            "rows": f"{extent.rows:,}",
            "columns": f"{extent.columns:,}",
            "cell": f"{column_letters(extent.columns)}{extent.rows}",
            "max_rows": f"{limits.rows:,}",
            "max_columns": f"{limits.columns:,}",
            "max_cells": f"{limits.cells:,}",
        }
    )


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f}".removesuffix(".0")


def _too_many_bytes(limits: Limits) -> XlsxError:
    return XlsxError(
        _("文件解压后超过 %(mb)s MB，请删除多余的工作表、图片或行列后重新上传")
        % {"mb": _mb(limits.bytes)}
    )


def _bomb() -> XlsxError:
    return XlsxError(
        _(
            "文件中有部分解压后异常巨大（压缩比超过 %(ratio)s:1），无法读取；"
            "请另存为新的 .xlsx 后重试"
        )
        % {"ratio": MAX_RATIO}
    )


# --- the zip and its XML, bounded ----------------------------------------------------------------


def _open(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The workbook as a zip whose declared sizes are within the limits."""
    if len(data) > limits.bytes:
        raise _too_many_bytes(limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        parts = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _corrupt() from None
    if len(parts) > MAX_PARTS:
        raise _corrupt()
    if sum(p.file_size for p in parts) > limits.bytes:
        raise _too_many_bytes(limits)
    for p in parts:
        if p.file_size > RATIO_FROM and p.file_size > MAX_RATIO * max(p.compress_size, 1):
            raise _bomb()
    return zf


def _sheet_parts(zf: zipfile.ZipFile, prefer: str) -> list[tuple[str, str]]:
    """(sheet name, its part in the zip) of every sheet, the one called `prefer` first if there
    is one, then the others in order, as calamine finds them (workbook.xml in order, targets
    through its relationships)."""
    sheets: list[tuple[str, str]] = []
    targets: dict[str, str] = {}

    def on_sheet(name: str, attrs: dict) -> None:
        if local(name) == "sheet":
            rid = next((v for k, v in attrs.items() if local(k) == "id"), "")
            sheets.append((attrs.get("name", ""), rid))

    def on_rel(name: str, attrs: dict) -> None:
        if local(name) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    try:
        for part, handler in (
            ("xl/workbook.xml", on_sheet),
            ("xl/_rels/workbook.xml.rels", on_rel),
        ):
            if zf.getinfo(part).file_size > PART_BYTES:
                raise ValueError(part)
            stream(zf, part, handler, limit=None)
    except (KeyError, ValueError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError):
        raise _corrupt() from None
    if not sheets:
        raise _corrupt()
    sheets.sort(key=lambda s: s[0] != prefer)  # stable: the others keep their order
    parts = []
    names = set(zf.namelist())
    for name, rid in sheets:
        target = targets.get(rid, "").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        if part not in names:
            raise _corrupt()
        parts.append((name, part))
    return parts


def _declared(zf: zipfile.ZipFile, part: str) -> Extent | None:
    """The sheet's `<dimension ref>`, if it has one near its start."""
    found: list[str] = []

    def on_start(name: str, attrs: dict) -> None:
        kind = local(name)
        if kind == "dimension":
            found.append(attrs.get("ref", ""))
            raise Stop
        if kind == "sheetData":
            raise Stop

    try:
        stream(zf, part, on_start, limit=PEEK_BYTES)
    except (ValueError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError):
        raise _corrupt() from None
    if not found or not found[0]:
        return None
    try:
        rows, columns = cell_ref(found[0].rpartition(":")[2])
    except ValueError:
        return None  # a dimension we can't read says nothing; the scan finds the truth
    return Extent(rows=rows, columns=columns)


def _checked(data: bytes, sheet: str, limits: Limits, *, every: bool) -> list[tuple[str, str]]:
    """The sheets to read, the first (the one called `sheet`, else the first of the workbook)
    within the limits as far as it says; with `every`, all of them, for a reader that picks
    the sheet by its header (the child checks each one's true extent before reading it)."""
    zf = _open(data, limits)
    parts = _sheet_parts(zf, sheet)
    declared = _declared(zf, parts[0][1])
    if declared is not None and declared.over(limits) and not (every and len(parts) > 1):
        raise _too_large(declared, limits)
    return parts if every else parts[:1]


FORMATS = frozenset({"xlsx", "xls", "csv"})


def kind_of(data: bytes) -> str:
    """What a file is by its first bytes: "xlsx" (a zip), "xls" (an OLE compound file: Excel
    97–2003 .xls, WPS .et), else "csv" (text, or anything else: the reader decides)."""
    if data.startswith(b"PK"):
        return "xlsx"
    if data.startswith(xlsx_child.OLE_MAGIC):
        return "xls"
    return "csv"


def check(
    data: bytes,
    *,
    sheet: str = "",
    limits: Limits | None = None,
    formats: frozenset[str] = frozenset({"xlsx"}),
    header: tuple[list[str], int] = ([], 0),
) -> None:
    """What can be checked without reading the sheet itself (bounded work, fit for a web
    request): an .xlsx is a zip within the size limits, with a sheet whose declared dimension
    is within the limits; an .xls or a CSV file (when `formats` allows them) is within the
    size limit. With a `header` (see `read`) every sheet is a candidate, so the first sheet's
    declared dimension refuses the file only when it is the only sheet. Raises XlsxError."""
    limits = limits or _default_limits()
    kind = kind_of(data)
    if kind not in formats:
        raise _corrupt()
    if kind == "xlsx":
        _checked(data, sheet, limits, every=bool(header[0]))
    elif len(data) > limits.bytes:
        raise _too_many_bytes(limits)


# --- the child that reads ------------------------------------------------------------------------


def _python() -> str:
    """This interpreter (under an embedding server such as uWSGI, sys.executable is the server)."""
    if Path(sys.executable).name.startswith("python"):
        return sys.executable
    return str(Path(sys.exec_prefix) / "bin" / "python3")


def read(
    data: bytes,
    *,
    sheet: str = "",
    skip_empty_area: bool = False,
    limits: Limits | None = None,
    formats: frozenset[str] = frozenset({"xlsx"}),
    header: tuple[list[str], int] = ([], 0),
) -> list[list[Any]]:
    """The rows of a sheet, read in a child process of bounded memory once the checks above
    have passed: the one named `sheet` if there is one, else the first — or, given a `header`
    (words, how many of them), the first sheet with a row among its first ones naming that
    many of the words (the preferred one looked at first), else that one. `formats` says which
    of FORMATS the caller takes (by the file's first bytes, `kind_of`). Raises XlsxError with
    a message for the person who uploaded the file."""
    limits = limits or _default_limits()
    kind = kind_of(data)
    if kind not in formats:
        raise _corrupt()
    if kind == "xlsx":
        candidates = _checked(data, sheet, limits, every=bool(header[0]))
    elif len(data) > limits.bytes:
        raise _too_many_bytes(limits)
    else:
        candidates = []
    memory = settings.XLSX_PARSE_MEMORY_MB * 1024 * 1024
    args = {
        "memory": memory,
        "limits": asdict(limits),
        "kind": kind,
        "candidates": candidates,
        "sheet": sheet,
        "words": header[0],
        "need": header[1],
        "skip_empty_area": skip_empty_area,
    }
    env = {"PATH": os.environ.get("PATH", ""), "RUST_BACKTRACE": "0", "LC_ALL": "C.UTF-8"}
    # -I: none of the server's environment, paths or site customisations; stderr is dropped
    # (a panic message may quote a cell).
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [_python(), "-I", str(Path(xlsx_child.__file__).resolve()), json.dumps(args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    rows: list[list[Any]] = []
    complete = True
    head = b""
    try:
        try:
            proc.stdin.write(data)  # the child reads all of it before it writes anything
            proc.stdin.close()
        except BrokenPipeError:
            pass  # it died early: its exit code says why
        head = proc.stdout.readline()
        try:
            for line in proc.stdout:
                rows.extend(json.loads(line, object_hook=xlsx_child.decode))
        except ValueError:  # cut short: the exit code says why
            complete = False
        code = proc.wait(timeout=PARSE_CPU_SECONDS * 2)
    except subprocess.TimeoutExpired:
        code = -9
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    if code == TOO_LARGE and head:
        raise _too_large(Extent(**json.loads(head)["extent"]), limits)
    if code == OK and complete:
        return rows
    log.warning("xlsx reader child exited with %s", code)  # -6: an allocation failed in Rust
    if code == CORRUPT:
        raise _corrupt()
    # out of memory (MemoryError, or a Rust abort when an allocation failed) or of CPU time
    raise XlsxError(
        _(
            "文件过大或过于复杂，读取时超出了服务器的内存或时间上限（%(mb)s MB），"
            "请删除多余的行列或分批上传"
        )
        % {"mb": f"{settings.XLSX_PARSE_MEMORY_MB:,}"}
    )

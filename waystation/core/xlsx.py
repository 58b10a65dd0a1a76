"""Reading uploaded .xlsx workbooks without trusting them. Every .xlsx upload goes through `read`.

The reader (python-calamine, Rust) materialises a sheet as a dense grid from its first to its
farthest cell, so a 5 KB file with one cell at XFD1048576 asks for 512 GiB, and a failed
allocation in Rust aborts the whole process: there is no Python exception to catch. So:

1. `check` — cheap and bounded, fit for a web request: the file is a zip of at most MAX_PARTS
   parts whose declared sizes add up to at most `Limits.bytes` and none compressed more than
   MAX_RATIO:1; the sheet is found through workbook.xml and its relationships, and its declared
   `<dimension ref>` is within the limits. zipfile stops each part at its declared size and
   checks its CRC, so the declared sizes cannot lie to anything that reads through it.
2. In a child process whose address space and CPU time are limited (`XLSX_PARSE_MEMORY_MB`,
   `PARSE_CPU_SECONDS`): the sheet's XML is streamed through expat, 64 KB at a time, to find
   its true farthest row and column and its count of cells (the declared dimension may lie or
   be missing), and only a sheet within the limits is then read by calamine; its rows come back
   as JSON lines on a pipe. Whatever happens in the child — a Rust abort, a panic, running out
   of memory or time — only the child dies, and the caller gets an XlsxError with a message.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

MAX_PARTS = 10_000
MAX_RATIO = 100  # deflated XML of a real sheet is about 8:1; zip bombs are 1000:1
RATIO_FROM = 1024 * 1024  # small parts may compress any amount
PEEK_BYTES = 1024 * 1024  # how far into a sheet `check` looks for `<dimension ref>`
PART_BYTES = 10 * 1024 * 1024  # workbook.xml and its relationships
PARSE_CPU_SECONDS = 120
_CHUNK = 64 * 1024

# Exit codes of the child (a signal shows as a negative code).
_OK, _TOO_LARGE, _CORRUPT, _NO_MEMORY = 0, 2, 3, 4


class XlsxError(ValidationError):
    """A workbook that cannot be read; its message is for the person who uploaded it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.text = message

    def __str__(self) -> str:
        return self.text


def _corrupt() -> XlsxError:
    return XlsxError(_("文件已损坏或不是 Excel 工作簿（.xlsx），无法读取；请另存为 .xlsx 后重试"))


@dataclass(frozen=True)
class Limits:
    """How big a sheet may be: farthest row and column, cells of the grid the reader builds
    (rows × columns), and the workbook's parts uncompressed, all together."""

    rows: int
    columns: int
    cells: int
    bytes: int

    @classmethod
    def default(cls) -> Limits:
        return cls(
            rows=settings.XLSX_MAX_ROWS,
            columns=settings.XLSX_MAX_COLUMNS,
            cells=settings.XLSX_MAX_CELLS,
            bytes=settings.XLSX_MAX_BYTES,
        )


@dataclass(frozen=True)
class Extent:
    """The farthest row and column (1-based) of a sheet and how many cells hold a value."""

    rows: int = 0
    columns: int = 0
    cells: int = 0

    def over(self, limits: Limits) -> bool:
        return (
            self.rows > limits.rows
            or self.columns > limits.columns
            or self.cells > limits.cells
            or self.rows * self.columns > limits.cells
        )


def column_letters(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


_REF = re.compile(r"\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})")


@cache
def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _cell_ref(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of a reference like "AD1000000"; ValueError if it is not one."""
    m = _REF.fullmatch(ref)
    if m is None:
        raise ValueError(ref)
    return int(m[2]), _column_number(m[1])


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


class _Stop(Exception):
    pass


def _stream(zf: zipfile.ZipFile, name: str, on_start: Callable, *, limit: int | None) -> None:
    """Feed a part of the zip through expat, a chunk at a time, calling `on_start(name, attrs)`
    for every element; stop after `limit` bytes or when `on_start` raises _Stop. A DTD (never
    in a workbook) is refused, so no entity is ever expanded."""
    parser = expat.ParserCreate()
    parser.StartElementHandler = on_start

    def no_dtd(*_args: Any) -> None:
        raise ValueError("DTD in a workbook part")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    read = 0
    try:
        with zf.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
                read += len(chunk)
                if limit is not None and read >= limit:
                    return
        parser.Parse(b"", True)
    except _Stop:
        return


def _local(name: str) -> str:
    return name.rpartition(":")[2]


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


def _sheet_part(zf: zipfile.ZipFile, prefer: str) -> tuple[str, str]:
    """(sheet name, its part in the zip): the sheet called `prefer` if there is one, else the
    first, as calamine finds them (workbook.xml in order, targets through its relationships)."""
    sheets: list[tuple[str, str]] = []
    targets: dict[str, str] = {}

    def on_sheet(name: str, attrs: dict) -> None:
        if _local(name) == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append((attrs.get("name", ""), rid))

    def on_rel(name: str, attrs: dict) -> None:
        if _local(name) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    try:
        for part, handler in (
            ("xl/workbook.xml", on_sheet),
            ("xl/_rels/workbook.xml.rels", on_rel),
        ):
            if zf.getinfo(part).file_size > PART_BYTES:
                raise ValueError(part)
            _stream(zf, part, handler, limit=None)
    except (KeyError, ValueError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError):
        raise _corrupt() from None
    names = [n for n, _rid in sheets]
    if not sheets:
        raise _corrupt()
    name, rid = sheets[names.index(prefer)] if prefer in names else sheets[0]
    target = targets.get(rid, "").lstrip("/")
    part = target if target.startswith("xl/") else f"xl/{target}"
    if part not in zf.namelist():
        raise _corrupt()
    return name, part


def _declared(zf: zipfile.ZipFile, part: str) -> Extent | None:
    """The sheet's `<dimension ref>`, if it has one near its start."""
    found: list[str] = []

    def on_start(name: str, attrs: dict) -> None:
        local = _local(name)
        if local == "dimension":
            found.append(attrs.get("ref", ""))
            raise _Stop
        if local == "sheetData":
            raise _Stop

    try:
        _stream(zf, part, on_start, limit=PEEK_BYTES)
    except (ValueError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError):
        raise _corrupt() from None
    if not found or not found[0]:
        return None
    try:
        rows, columns = _cell_ref(found[0].rpartition(":")[2])
    except ValueError:
        return None  # a dimension we can't read says nothing; the scan finds the truth
    return Extent(rows=rows, columns=columns)


_SCANNED = {"c": "cell", "v": "value", "is": "value", "row": "row"}


def _scan(zf: zipfile.ZipFile, part: str) -> Extent:
    """The sheet's true extent: its XML streamed, every cell that holds a value (a `v` or an
    inline string `is`) placed as calamine places it (its `r`, else next to the previous one,
    in a row numbered by its `r` or the one after the previous row)."""
    row = 0  # the current row element's number
    col = 0  # the column of the previous cell in this row
    here = (0, 0)  # the current cell
    counted = True  # the current cell was already counted
    max_row = max_col = cells = 0

    def on_start(name: str, attrs: dict) -> None:
        nonlocal row, col, here, counted, max_row, max_col, cells
        kind = _SCANNED.get(name)
        if kind is None:
            if ":" not in name:
                return
            kind = _SCANNED.get(_local(name))
        if kind == "cell":
            ref = attrs.get("r")
            if ref:
                here = _cell_ref(ref)
                col = here[1]
            else:
                col += 1
                here = (row, col)
            counted = False
        elif kind == "value":
            if not counted:
                counted = True
                cells += 1
                if here[0] > max_row:
                    max_row = here[0]
                if here[1] > max_col:
                    max_col = here[1]
        elif kind == "row":
            r = attrs.get("r")
            row = int(r) if r else row + 1
            col = 0

    _stream(zf, part, on_start, limit=None)
    return Extent(rows=max_row, columns=max_col, cells=cells)


def _checked(data: bytes, sheet: str, limits: Limits) -> tuple[str, str]:
    zf = _open(data, limits)
    name, part = _sheet_part(zf, sheet)
    declared = _declared(zf, part)
    if declared is not None and declared.over(limits):
        raise _too_large(declared, limits)
    return name, part


def check(data: bytes, *, sheet: str = "", limits: Limits | None = None) -> None:
    """What can be checked without reading the sheet itself (bounded work, fit for a web
    request): a zip within the size limits, a sheet, its declared dimension within the limits.
    Raises XlsxError."""
    _checked(data, sheet, limits or Limits.default())


# --- the child that reads ------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"t": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"td": value.total_seconds()}
    raise TypeError(type(value).__name__)


def _decode(obj: dict) -> Any:
    ((tag, value),) = obj.items()
    if tag == "dt":
        return dt.datetime.fromisoformat(value)
    if tag == "d":
        return dt.date.fromisoformat(value)
    if tag == "t":
        return dt.time.fromisoformat(value)
    return dt.timedelta(seconds=value)


def _child_main() -> int:  # pragma: no cover - runs in the child process
    """Read the workbook from stdin; write the extent, then the rows, as JSON lines."""
    import resource

    args = json.loads(sys.argv[1])
    memory = args["memory"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (PARSE_CPU_SECONDS, PARSE_CPU_SECONDS + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes no file
    os.nice(5)  # the web server and the other jobs first
    out = sys.stdout.buffer
    try:
        data = sys.stdin.buffer.read()
        limits = Limits(**args["limits"])
        zf = zipfile.ZipFile(io.BytesIO(data))
        extent = _scan(zf, args["part"])
        out.write(json.dumps({"extent": asdict(extent)}).encode() + b"\n")
        if extent.over(limits):
            return _TOO_LARGE
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        del data, zf
        rows = book.get_sheet_by_name(args["sheet"]).to_python(
            skip_empty_area=args["skip_empty_area"]
        )
        del book
        dumps = json.JSONEncoder(ensure_ascii=False, default=_encode).encode
        for row in rows:
            out.write(dumps(row).encode() + b"\n")
        out.flush()
    except MemoryError:
        return _NO_MEMORY
    except BaseException:  # calamine's errors, and its Rust panics (a BaseException)
        return _CORRUPT
    return _OK


def _python() -> str:
    """This interpreter (under an embedding server such as uWSGI, sys.executable is the server)."""
    if Path(sys.executable).name.startswith("python"):
        return sys.executable
    return str(Path(sys.exec_prefix) / "bin" / "python3")


def read(
    data: bytes, *, sheet: str = "", skip_empty_area: bool = False, limits: Limits | None = None
) -> list[list[Any]]:
    """The rows of a sheet (the one named `sheet` if there is one, else the first), read in a
    child process of bounded memory once the checks above have passed. Raises XlsxError with a
    message for the person who uploaded the file."""
    limits = limits or Limits.default()
    name, part = _checked(data, sheet, limits)
    memory = settings.XLSX_PARSE_MEMORY_MB * 1024 * 1024
    args = {
        "memory": memory,
        "limits": asdict(limits),
        "part": part,
        "sheet": name,
        "skip_empty_area": skip_empty_area,
    }
    env = {"PATH": os.environ.get("PATH", ""), "RUST_BACKTRACE": "0", "LC_ALL": "C.UTF-8"}
    # -I: none of the server's environment, paths or site customisations; stderr is dropped
    # (a panic message may quote a cell).
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [_python(), "-I", str(Path(__file__).resolve()), json.dumps(args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    rows: list[list[Any]] | None = []
    head = b""
    try:
        try:
            proc.stdin.write(data)  # the child reads all of it before it writes anything
            proc.stdin.close()
        except BrokenPipeError:
            pass  # it died early: its exit code says why
        head = proc.stdout.readline()
        try:
            rows = [json.loads(line, object_hook=_decode) for line in proc.stdout]
        except ValueError:  # cut short: the exit code says why
            rows = None
        code = proc.wait(timeout=PARSE_CPU_SECONDS * 2)
    except subprocess.TimeoutExpired:
        code = -9
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    if code == _TOO_LARGE and head:
        raise _too_large(Extent(**json.loads(head)["extent"]), limits)
    if code == _OK and rows is not None:
        return rows
    log.warning("xlsx reader child exited with %s", code)  # -6: an allocation failed in Rust
    if code == _CORRUPT:
        raise _corrupt()
    # out of memory (MemoryError, or a Rust abort when an allocation failed) or of CPU time
    raise XlsxError(
        _(
            "文件过大或过于复杂，读取时超出了服务器的内存或时间上限（%(mb)s MB），"
            "请删除多余的行列或分批上传"
        )
        % {"mb": f"{settings.XLSX_PARSE_MEMORY_MB:,}"}
    )


if __name__ == "__main__":  # pragma: no cover - the child process
    sys.exit(_child_main())

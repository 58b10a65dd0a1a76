"""The part of reading an upload that runs in the child process (see core/xlsx.py): finding the
sheet's true extent, then reading it with calamine (an .xlsx; an .xls or WPS .et, whose grid
calamine builds before its extent can be checked, bounded by the format; or a CSV file, read
with the standard library and stopped at the limits). Only the standard library and calamine:
the child starts in a fraction of the time it would take with Django imported.

The extent is found in one of two ways, which always come to the same verdict:

- `_quick_bound`, compiled byte patterns over the decompressed XML, a chunk at a time, fit for the
  sheets spreadsheet programs write: when every cell element begins `<c r="A1"`, each cell sits at
  its reference whatever its row says, so the farthest reference and the number of cell elements
  bound what calamine builds (cells without a value count too: a bound, not the extent).
- `_scan`, the exact one: the XML streamed through expat, every cell placed as calamine places it.
  It decides whenever the bound cannot: some cell element in another form, or a bound over the
  limits (then the exact extent names the cell in the message, or finds that only empty, styled
  cells lie beyond the limits).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import cache
from operator import itemgetter
from typing import Any
from xml.parsers import expat

PARSE_CPU_SECONDS = 120
_CHUNK = 64 * 1024  # expat's
_QUICK_CHUNK = 1024 * 1024  # the patterns' (larger chunks are slower: they leave the CPU cache)
_LONGEST = 32  # bytes, more than any pattern below matches
_BATCH = 5_000  # rows per line sent back to the parent

# Exit codes of the child (a signal shows as a negative code).
OK, TOO_LARGE, CORRUPT, NO_MEMORY = 0, 2, 3, 4


@dataclass(frozen=True)
class Limits:
    """How big a sheet may be: farthest row and column, cells of the grid the reader builds
    (rows × columns), and the workbook's parts uncompressed, all together."""

    rows: int
    columns: int
    cells: int
    bytes: int


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


_REF = re.compile(r"\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})")


@cache
def column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def cell_ref(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of a reference like "AD1000000"; ValueError if it is not one."""
    m = _REF.fullmatch(ref)
    if m is None:
        raise ValueError(ref)
    return int(m[2]), column_number(m[1])


# --- the exact scan ------------------------------------------------------------------------------


class Stop(Exception):
    pass


def stream(zf: zipfile.ZipFile, name: str, on_start: Callable, *, limit: int | None) -> None:
    """Feed a part of the zip through expat, a chunk at a time, calling `on_start(name, attrs)`
    for every element; stop after `limit` bytes or when `on_start` raises Stop. A DTD (never
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
    except Stop:
        return


def local(name: str) -> str:
    return name.rpartition(":")[2]


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
            kind = _SCANNED.get(local(name))
        if kind == "cell":
            ref = attrs.get("r")
            if ref:
                here = cell_ref(ref)
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

    stream(zf, part, on_start, limit=None)
    return Extent(rows=max_row, columns=max_col, cells=cells)


# --- the quick bound -----------------------------------------------------------------------------

# Every `<c` that starts a cell element, and every `<!`. A cell element in the one form vouched
# for, `<c r="A1"` (the first attribute, in double quotes, exactly _REF), yields its column letters
# and row digits; a cell element in any other form (`<c>`, `<c/>`, `<c s="1" r="A1">`, a tab
# after `c`, `r="a1"`) and a `<!` (a comment or CDATA, which may hold or fake a cell; a DTD, which
# the exact scan refuses) yield empty letters. Bytes, not text: `<` and the reference are ASCII in
# UTF-8 and in every ASCII-compatible encoding a declaration may name. A second `r` in a cell
# (malformed: expat refuses it) is not looked for: calamine's XML reader keeps the first or
# refuses the cell, so the first is where the cell goes.
_CELL_START = re.compile(rb'<(?:c(?: r="\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})"|(?=[\s/>]))|!)')
# A cell element with a namespace prefix (`<x:c>`); text like "a:c b" sends a sheet to the exact
# scan too, which costs time, not correctness.
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_letters, _digits = itemgetter(0), itemgetter(1)


def _pieces(zf: zipfile.ZipFile, part: str) -> Iterator[tuple[bytes, int]]:
    """The part's bytes as (buffer, end): buffer[:end] holds no `<` whose pattern is cut short
    by the end; what follows it comes again at the start of the next buffer."""
    carry = b""
    with zf.open(part) as fh:
        while chunk := fh.read(_QUICK_CHUNK):
            buf = carry + chunk if carry else chunk
            # Up to the last `<` (the patterns that start with `<` hold no other); when there
            # is none after the first byte, all but the last two, which `:c` may begin, once
            # the pattern at the first byte has all its bytes.
            end = buf.rfind(b"<")
            if end <= 0:
                end = len(buf) - 2 if len(buf) > _LONGEST else 0
            yield buf, end
            carry = buf[end:]
    yield carry, len(carry)


def _quick_bound(zf: zipfile.ZipFile, part: str, limits: Limits) -> Extent | None:
    """A bound of the sheet's extent within the limits, or None when the exact scan must decide:
    some cell element not in the form `<c r="A1"`, a `<!`, a NUL byte (UTF-16 or UTF-32 text,
    whose tags are other bytes), or a bound over the limits."""
    max_row = max_col = cells = 0
    for buf, end in _pieces(zf, part):
        # These two look at the whole buffer: what lies past `end` comes again in the next one,
        # so a `:c ` cut by the end of this one is found there.
        if b"\0" in buf or _PREFIXED_CELL.search(buf):
            return None
        found = _CELL_START.findall(buf, 0, end)
        if not found:
            continue
        letters = set(map(_letters, found))
        if b"" in letters:
            return None
        cells += len(found)
        max_col = max(max_col, *(column_number(c.decode()) for c in letters))
        max_row = max(max_row, *map(int, set(map(_digits, found))))
        if Extent(rows=max_row, columns=max_col, cells=cells).over(limits):
            return None
    return Extent(rows=max_row, columns=max_col, cells=cells)


def extent(zf: zipfile.ZipFile, part: str, limits: Limits) -> Extent:
    """The sheet's extent, as the exact scan finds it, whenever it is over the limits; within
    them, it may be only a bound of it, also within them."""
    bound = _quick_bound(zf, part, limits)
    return _scan(zf, part) if bound is None else bound


# --- reading, and sending the rows back ----------------------------------------------------------


def encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"t": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"td": value.total_seconds()}
    raise TypeError(type(value).__name__)


def decode(obj: dict) -> Any:
    ((tag, value),) = obj.items()
    if tag == "dt":
        return dt.datetime.fromisoformat(value)
    if tag == "d":
        return dt.date.fromisoformat(value)
    if tag == "t":
        return dt.time.fromisoformat(value)
    return dt.timedelta(seconds=value)


# --- the other formats: .xls (and WPS .et, the same BIFF8 in an OLE file), CSV -----------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_ROWS = 20  # how far down a sheet its header row is looked for (title rows above it)


def has_header(rows: list[list[Any]], words: list[str], need: int) -> bool:
    """Whether one of the first rows names at least `need` of `words` (each found in some cell):
    the row of column names a sheet is picked by, with or without title rows above it."""
    if not words:
        return True
    for row in rows[:HEADER_ROWS]:
        cells = [c for c in row if isinstance(c, str) and c]
        if sum(any(w in c for c in cells) for w in words) >= need:
            return True
    return False


def csv_text(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without its BOM) or, failing that, GB18030 (which
    reads GBK and GB2312, what Excel and WPS write for "CSV" on a Chinese system)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def csv_rows(data: bytes, limits: Limits) -> tuple[Extent, list[list[Any]]]:
    """The rows of a CSV file within the limits, or the extent that is over them (and no rows)."""
    import csv

    rows: list[list[Any]] = []
    cells = columns = 0
    for row in csv.reader(io.StringIO(csv_text(data), newline="")):
        cells += sum(1 for c in row if c)
        columns = max(columns, len(row))
        found = Extent(rows=len(rows) + 1, columns=columns, cells=cells)
        if found.over(limits):
            return found, []
        rows.append(row)
    return Extent(rows=len(rows), columns=columns, cells=cells), rows


def _candidates(prefer: str, names: list[str]) -> list[str]:
    return ([prefer] if prefer in names else []) + [n for n in names if n != prefer]


def _pick_xlsx(data: bytes, args: dict, limits: Limits) -> tuple[str, Extent, list | None]:
    """The sheet to read of an .xlsx: the first of the candidates (the preferred one first)
    within the limits whose first rows hold the header; else the first candidate. Each sheet's
    true extent is found before calamine reads it."""
    from python_calamine import CalamineWorkbook

    zf = zipfile.ZipFile(io.BytesIO(data))
    book = None
    first: tuple[str, Extent, list | None] | None = None
    for name, part in args["candidates"]:
        found = extent(zf, part, limits)
        rows = None
        if not found.over(limits):
            book = book or CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=args["skip_empty_area"])
            if has_header(rows, args["words"], args["need"]):
                return name, found, rows
        if first is None:
            first = (name, found, rows)
    assert first is not None
    return first


def _pick_xls(data: bytes, args: dict, limits: Limits) -> tuple[str, Extent, list | None]:
    """The same for an .xls (or .et): calamine builds a sheet's grid from its records (at most
    65,536 × 256 cells in the format, within the child's memory), and the grid's extent is
    checked before any of it becomes Python rows."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    first: tuple[str, Extent, list | None] | None = None
    for name in _candidates(args["sheet"], list(book.sheet_names)):
        sheet = book.get_sheet_by_name(name)
        end = sheet.end
        found = Extent(rows=end[0] + 1, columns=end[1] + 1, cells=0) if end else Extent()
        rows = None
        if not found.over(limits):
            rows = sheet.to_python(skip_empty_area=args["skip_empty_area"])
            found = Extent(found.rows, found.columns, sum(c != "" for r in rows for c in r))
            if has_header(rows, args["words"], args["need"]):
                return name, found, rows
        del sheet
        if first is None:
            first = (name, found, rows)
    if first is None:
        raise ValueError("no sheet")
    return first


def main() -> int:  # pragma: no cover - runs in the child process
    """Read the workbook from stdin; write the sheet's name and extent as a JSON line, then the
    rows as JSON arrays of up to _BATCH rows, one a line (JSON: the parent trusts nothing the
    child sends)."""
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
        kind = args["kind"]
        rows: list | None
        if kind == "csv":
            name = ""
            found, rows = csv_rows(data, limits)
        elif kind == "xls":
            name, found, rows = _pick_xls(data, args, limits)
        else:
            name, found, rows = _pick_xlsx(data, args, limits)
        del data
        out.write(json.dumps({"extent": asdict(found), "sheet": name}).encode() + b"\n")
        if found.over(limits) or rows is None:
            return TOO_LARGE
        dumps = json.JSONEncoder(ensure_ascii=False, default=encode).encode
        for start in range(0, len(rows), _BATCH):
            out.write(dumps(rows[start : start + _BATCH]).encode() + b"\n")
        out.flush()
    except MemoryError:
        return NO_MEMORY
    except BaseException:  # calamine's errors, and its Rust panics (a BaseException)
        return CORRUPT
    return OK


if __name__ == "__main__":  # pragma: no cover - the child process
    sys.exit(main())

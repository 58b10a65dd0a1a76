"""Checking a roster: the file as a whole (size, a workbook within core/xlsx.py's limits), then
every row with the join form's rules (the same validators), the industries and the districts of
the import unit's city (their names and codes, columns.py's lookup), and the staff member's unit
(a district union imports only its district, an industry union only its industry). A file that
cannot be imported at all raises RosterFileError; row errors are collected on the rows, each
message naming its column."""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from waystation.accounts.models import City, District, Industry, OrgUnit, Platform
from waystation.core import xlsx
from waystation.jobs import runner
from waystation.privacy import crypto

from ..models import RosterAlias
from ..validators import clean_id_number, clean_name, clean_phone
from .columns import DISTRICT_SUFFIXES, HEADER_NEED, HEADER_WORDS, SHEET, lookup_names
from .reading import Row, SheetError, sheet_rows, text

MAX_BYTES = 30 * 1024 * 1024
VALIDATE_PROGRESS_EVERY = 5000
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+\d+", re.IGNORECASE)  # a number in a CSV: 3.20402E+17
_PLATFORM_SPLIT = re.compile(r"[、,，;；/|\s]+")


class RosterFileError(ValidationError):
    """The file as a whole cannot be imported (not a spreadsheet, wrong columns, too large)."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": [message]})


@dataclass
class Parsed:
    rows: list[Row]
    total: int
    valid: int
    errors: int


# Excel 2007+ (.xlsx), Excel 97–2003 (.xls) and WPS (.et, the same format), CSV as Excel or WPS
# save it (GBK or UTF-8, with or without BOM): told apart by their first bytes (core/xlsx.py).
FORMATS = frozenset({"xlsx", "xls", "csv"})
EXTENSIONS = (".xlsx", ".xls", ".et", ".csv")
_NOT_A_ROSTER = (
    "无法读取文件：请上传 Excel 或 WPS 表格（.xlsx、.xls、.et）或 CSV 文件，可先下载模板填写"
)


def _workbook(data: bytes, reader: Callable[..., Any]) -> Any:
    if len(data) > MAX_BYTES:
        raise RosterFileError(f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB），请分批导入")
    if xlsx.kind_of(data) == "csv" and (b"\0" in data[:4096] or not data.strip()):
        raise RosterFileError(_NOT_A_ROSTER)  # binary (a .doc, a picture), or nothing at all
    try:
        return reader(data, sheet=SHEET, formats=FORMATS, header=(HEADER_WORDS, HEADER_NEED))
    except xlsx.XlsxError as exc:
        if xlsx.kind_of(data) == "csv" and exc.code == "corrupt":  # not text in either encoding
            raise RosterFileError(_NOT_A_ROSTER) from exc
        raise RosterFileError(str(exc)) from exc


def check_file(data: bytes) -> None:
    """What can be told about a file without reading its rows (fit for the web request): its
    size, that it is a workbook, and its declared size within the limits (core/xlsx.py).
    Raises RosterFileError."""
    _workbook(data, xlsx.check)


def read_rows(data: bytes) -> list[Row]:
    """The data rows of a workbook, read in a child process of bounded memory (core/xlsx.py).
    Raises RosterFileError with a message for staff."""
    try:
        return sheet_rows(_workbook(data, xlsx.read))
    except SheetError as exc:
        raise RosterFileError(str(exc)) from exc


def _joined_on(value: Any, today: date) -> date | None:
    if value in ("", None):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValidationError("入会日期不存在") from None
    else:
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text(value))
        if not m:
            raise ValidationError("入会日期格式应为 2024-03-01")
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ValidationError("入会日期不存在") from None
    if day > today:
        raise ValidationError("入会日期不能晚于今天")
    if day.year < 1950:
        raise ValidationError("入会日期过早，请核对")
    return day


@dataclass(frozen=True)
class Vocabulary:
    """What a row's names are looked up in: codes by the names staff type (the rows' names and
    codes, then the aliases: RosterAlias rows, every city's and the unit's city's own), and the
    names a near-miss is compared with, to suggest one."""

    industries: dict[str, str]
    districts: dict[str, str]  # of the import unit's city only
    platforms: dict[str, int]
    names: dict[str, list[str]] = field(default_factory=dict)  # by kind, for suggestions

    @classmethod
    def for_unit(cls, unit: OrgUnit) -> "Vocabulary":
        platforms: dict[str, int] = {}
        platform_rows = list(Platform.objects.values_list("id", "code", "name"))
        for pid, code, name in platform_rows:
            platforms[code.lower()] = platforms[name] = pid
        industry_rows = list(Industry.objects.values_list("code", "name"))
        district_rows = list(
            District.objects.filter(city__units=unit).values_list("code", "name").distinct()
        )
        industries = lookup_names(industry_rows)
        districts = lookup_names(district_rows, suffixes=DISTRICT_SUFFIXES)
        adcode = City.objects.filter(units=unit).values_list("adcode", flat=True).first() or ""
        lookups: dict[str, dict] = {
            "industry": industries,
            "district": districts,
            "platform": platforms,
        }
        for kind, alias, means in RosterAlias.objects.filter(
            city_adcode__in=["", adcode]
        ).values_list("kind", "alias", "means"):
            lookup = lookups.get(kind)
            target = None if lookup is None else lookup.get(means, lookup.get(means.lower()))
            if lookup is not None and target is not None and alias not in lookup:
                lookup[alias] = target  # a row's own name or code wins over an alias
        return cls(
            industries=industries,
            districts=districts,
            platforms=platforms,
            names={
                "industry": [n for _c, n in industry_rows],
                "district": [n for _c, n in district_rows],
                "platform": [n for _i, _c, n in platform_rows],
            },
        )

    def suggest(self, kind: str, typed: str) -> str:
        """The one name of `kind` that `typed` most likely meant ("新北去" → 新北区, "天宁区
        茶山街道" → 天宁区), or "" when none is close: suggested in the message, never taken."""
        names = self.names.get(kind, [])
        starts = [n for n in names if typed.startswith(n) or n.startswith(typed)]
        if len(starts) == 1:
            return starts[0]
        close = difflib.get_close_matches(typed, names, n=1, cutoff=0.6)
        return close[0] if close else ""


def _not_valid(vocabulary: Vocabulary, kind: str, typed: str, what: str) -> str:
    """ "“x”不是有效的…", with the name it most likely meant."""
    suggestion = vocabulary.suggest(kind, typed)
    if suggestion:
        return gettext("“%(typed)s”不是有效的%(what)s，是否为“%(name)s”？") % {
            "typed": typed,
            "what": what,
            "name": suggestion,
        }
    return gettext("“%(typed)s”不是有效的%(what)s") % {"typed": typed, "what": what}


_WORDS = {  # kind: the column, what a blank cell is told, what a value is not
    "industry": ("行业", gettext_noop("请填写行业"), gettext_noop("行业")),
    "district": ("工作区域", gettext_noop("请填写工作区域"), gettext_noop("区域")),
}


def _missing_or_not_valid(vocabulary: Vocabulary, kind: str, typed: str) -> str:
    column, blank, what = _WORDS[kind]
    return f"{column}：" + (
        gettext(blank) if not typed else _not_valid(vocabulary, kind, typed, gettext(what))
    )


def _code(lookup: dict[str, str], typed: str) -> str | None:
    return lookup.get(typed) or lookup.get(typed.lower())


def _clean(row: Row, unit: OrgUnit, vocabulary: Vocabulary, today: date) -> None:
    raw = row.raw
    errors = row.errors
    try:
        row.name = clean_name(text(raw["name"]))
    except ValidationError as e:
        errors.extend(f"姓名：{m}" for m in e.messages)
    id_cell = raw["id_number"]
    if (isinstance(id_cell, int | float) and not isinstance(id_cell, bool)) or (
        isinstance(id_cell, str) and _SCIENTIFIC.fullmatch(id_cell.strip())
    ):
        # 18 digits do not fit a spreadsheet number: the last ones are already lost.
        errors.append("身份证号：被存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写")
    else:
        try:
            row.id_number = clean_id_number(text(id_cell), today=today)
        except ValidationError as e:
            errors.extend(f"身份证号：{m}" for m in e.messages)
    try:
        row.phone = clean_phone(text(raw["phone"]))
    except ValidationError as e:
        errors.extend(f"手机号：{m}" for m in e.messages)

    industry = text(raw["industry"])
    if not industry and unit.industry_id:
        row.industry = unit.industry_id
    elif code := _code(vocabulary.industries, industry):
        row.industry = code
    else:
        errors.append(_missing_or_not_valid(vocabulary, "industry", industry))
    if unit.industry_id and row.industry and row.industry != unit.industry_id:
        errors.append(f"行业：不属于{unit.name}，本单位只能导入本行业会员")

    district = text(raw["district"])
    if not district and unit.district_id:
        row.district = unit.district_id
    elif code := _code(vocabulary.districts, district):
        row.district = code
    else:
        errors.append(_missing_or_not_valid(vocabulary, "district", district))
    if unit.district_id and row.district and row.district != unit.district_id:
        errors.append(f"工作区域：不属于{unit.name}，本单位只能导入本区域会员")

    platforms = vocabulary.platforms
    cell = text(raw["platforms"])
    for name in _PLATFORM_SPLIT.split(cell) if cell not in platforms else (cell,):
        if not name:
            continue
        pid = platforms.get(name) or platforms.get(name.lower())
        if pid is None:
            suggestion = vocabulary.suggest("platform", name)
            errors.append(
                f"平台：“{name}”不是已登记的平台"
                + (gettext("，是否为“%(name)s”？") % {"name": suggestion} if suggestion else "")
            )
        elif pid not in row.platform_ids:
            row.platform_ids.append(pid)

    try:
        row.joined_on = _joined_on(raw["joined_on"], today)
    except ValidationError as e:
        errors.extend(f"入会日期：{m}" for m in e.messages)


def parse(data: bytes, *, unit: OrgUnit, progress: runner.Progress | None = None) -> Parsed:
    """Read and validate every row with the join form's rules. Raises RosterFileError for a file
    that cannot be imported at all; row errors are collected on the rows."""
    rows = read_rows(data)
    total = len(rows)
    vocabulary = Vocabulary.for_unit(unit)
    today = timezone.localdate()
    first_line: dict[str, int] = {}
    valid = 0
    for n, row in enumerate(rows):
        if progress is not None and n % VALIDATE_PROGRESS_EVERY == 0:
            counts = {"done": f"{n:,}", "total": f"{total:,}"}
            progress(n, total, gettext("已校验 %(done)s / %(total)s 行") % counts)
        _clean(row, unit, vocabulary, today)
        if row.id_number:
            row.id_hash = crypto.keyed_hash(row.id_number)
            seen = first_line.setdefault(row.id_hash, row.line)
            if seen != row.line:
                row.errors.append(f"身份证号：与第 {seen} 行重复")
        valid += row.ok
    return Parsed(rows=rows, total=total, valid=valid, errors=total - valid)

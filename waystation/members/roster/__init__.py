"""Roster import (.xlsx): template, parsing, per-row validation, preview, error file, and the
batched, idempotent, resumable commit that runs as a background job.

An upload is checked only as far as is cheap (a workbook within the size limits of
core/xlsx.py) and kept encrypted under the personal-data keys (under PRIVATE_MEDIA_ROOT, a
server-chosen name) for the validation job, which reads it in a child process of bounded memory,
deletes it, and validates every row. From then on only the clean values of the rows that will
become members are kept, encrypted, until the commit is done, so what is written is exactly what
the preview showed. Each
batch is written in one transaction together with the import's resume point
(`committed_through`), and members are unique by the keyed hash of their ID number, so a crashed
commit resumes where it stopped and a re-imported file creates nothing new.
"""

import hashlib
import io
import json
import random
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook

from waystation.accounts.access import filter_in_scope, scope_of
from waystation.accounts.models import OrgUnit, Platform
from waystation.accounts.orgs import DISTRICTS, INDUSTRIES, PLATFORMS
from waystation.core import xlsx
from waystation.core.bulk import insert_ignoring_conflicts, pg_cursor
from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.privacy import crypto
from waystation.privacy.audit import audit_record
from waystation.privacy.masking import mask_id_number, mask_phone

from ..exports import xlsx_bytes
from ..models import Member, RosterImport
from ..services import member_fields, member_numbers
from ..validators import clean_id_number, clean_name, clean_phone

JOB_KIND = "members.roster_import"
VALIDATE_KIND = "members.roster_validate"
BATCH_SIZE = 2000
MAX_ROWS = 200_000
MAX_BYTES = 30 * 1024 * 1024
PREVIEW_ERRORS = 200

# Columns of the template, as staff see them, and the keys they map to.
COLUMNS: list[tuple[str, str, bool]] = [
    # header, key, required
    ("姓名", "name", True),
    ("身份证号", "id_number", True),
    ("手机号", "phone", True),
    ("行业", "industry", True),
    ("平台", "platforms", True),
    ("工作区域", "district", True),
    ("入会日期", "joined_on", False),
]
HEADER_OF = {key: header for header, key, _ in COLUMNS}
_ALIASES = {
    "身份证号码": "id_number",
    "身份证": "id_number",
    "手机号码": "phone",
    "手机": "phone",
    "所在行业": "industry",
    "所在平台": "platforms",
    "工作所在区域": "district",
    "区域": "district",
}
_HEADER_KEYS = {header: key for header, key, _ in COLUMNS} | _ALIASES
_HEADER_NOISE = re.compile(r"[\s*＊]|[（(](?:必填|选填|可选)[)）]")
_PLATFORM_SPLIT = re.compile(r"[、,，;；/|\s]+")

# Crash injection for tests: called after each committed batch with (import, rows done).
_after_batch: Callable[[RosterImport, int], None] | None = None


class RosterFileError(ValidationError):
    """The file as a whole cannot be imported (not an .xlsx, wrong columns, too large)."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": [message]})


# --- vocabulary --------------------------------------------------------------------------------


def _lookup_names(pairs: Iterable[tuple[str, str]], *, suffixes: str = "") -> dict[str, str]:
    """Code by the name staff type: the display name, the name without a suffix, the code."""
    out: dict[str, str] = {}
    for code, name in pairs:
        out[code.lower()] = code
        out[name] = code
        if suffixes and name[-1] in suffixes and len(name) > 2:
            out[name[:-1]] = code
    return out


_INDUSTRY_CODES = _lookup_names(INDUSTRIES)
_DISTRICT_CODES = _lookup_names(DISTRICTS, suffixes="区市")


@dataclass(slots=True)
class Row:
    """One data row of the sheet: its Excel row number, the raw texts, and once validated
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


@dataclass
class Parsed:
    rows: list[Row]
    total: int
    valid: int
    errors: int


# --- reading -----------------------------------------------------------------------------------


def _text(value: Any) -> str:
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


def _header_key(cell: Any) -> str:
    return _HEADER_KEYS.get(_HEADER_NOISE.sub("", _text(cell)), "")


SHEET = "名册"  # the template's sheet; otherwise the first


def _workbook(data: bytes, reader: Callable[..., Any]) -> Any:
    if len(data) > MAX_BYTES:
        raise RosterFileError(f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB），请分批导入")
    if not data.startswith(b"PK"):
        raise RosterFileError("无法读取文件：请上传 Excel 工作簿（.xlsx），可先下载模板填写")
    try:
        return reader(data, sheet=SHEET)
    except xlsx.XlsxError as exc:
        raise RosterFileError(str(exc)) from exc


def check_file(data: bytes) -> None:
    """What can be told about a file without reading its rows (fit for the web request): its
    size, that it is a workbook, and its declared size within the limits (core/xlsx.py).
    Raises RosterFileError."""
    _workbook(data, xlsx.check)


def read_sheet(data: bytes) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
    """The column index of each known header and the non-empty data rows with their Excel row
    numbers, read in a child process of bounded memory (core/xlsx.py). Raises RosterFileError
    with a message for staff."""
    cells = _workbook(data, xlsx.read)
    if not cells:
        raise RosterFileError("文件中没有数据：第一行应为列名，从第二行起每行一人")
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells[0]):
        key = _header_key(cell)
        if key and key in columns:
            raise RosterFileError(f"列“{HEADER_OF[key]}”出现了两次，请只保留一列")
        if key:
            columns[key] = i
    missing = [header for header, key, required in COLUMNS if required and key not in columns]
    if missing:
        raise RosterFileError(
            f"缺少必填列：{'、'.join(missing)}。第一行应为列名，请使用模板："
            + "、".join(h for h, _, _ in COLUMNS)
        )
    rows = [
        (line, values)
        for line, values in enumerate(cells[1:], start=2)
        if values.count("") != len(values)  # calamine reads empty cells as ""
    ]
    if not rows:
        raise RosterFileError("文件中只有列名，没有会员数据")
    if len(rows) > MAX_ROWS:
        raise RosterFileError(
            f"一次最多导入 {MAX_ROWS:,} 行，本文件有 {len(rows):,} 行，请分批导入"
        )
    return columns, rows


# --- validation --------------------------------------------------------------------------------


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
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", _text(value))
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


def _clean(row: Row, unit: OrgUnit, platforms: dict[str, int], today: date) -> None:
    raw = row.raw
    errors = row.errors
    try:
        row.name = clean_name(_text(raw["name"]))
    except ValidationError as e:
        errors.extend(f"姓名：{m}" for m in e.messages)
    id_cell = raw["id_number"]
    if isinstance(id_cell, int | float) and not isinstance(id_cell, bool):
        # 18 digits do not fit a spreadsheet number: the last ones are already lost.
        errors.append("身份证号：被存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写")
    else:
        try:
            row.id_number = clean_id_number(_text(id_cell), today=today)
        except ValidationError as e:
            errors.extend(f"身份证号：{m}" for m in e.messages)
    try:
        row.phone = clean_phone(_text(raw["phone"]))
    except ValidationError as e:
        errors.extend(f"手机号：{m}" for m in e.messages)

    industry = _text(raw["industry"])
    if not industry and unit.industry:
        row.industry = unit.industry
    elif industry.lower() in _INDUSTRY_CODES or industry in _INDUSTRY_CODES:
        row.industry = _INDUSTRY_CODES.get(industry) or _INDUSTRY_CODES[industry.lower()]
    else:
        errors.append(f"行业：{'请填写行业' if not industry else f'“{industry}”不是有效的行业'}")
    if unit.industry and row.industry and row.industry != unit.industry:
        errors.append(f"行业：不属于{unit.name}，本单位只能导入本行业会员")

    district = _text(raw["district"])
    if not district and unit.district:
        row.district = unit.district
    elif district in _DISTRICT_CODES or district.lower() in _DISTRICT_CODES:
        row.district = _DISTRICT_CODES.get(district) or _DISTRICT_CODES[district.lower()]
    else:
        errors.append(
            f"工作区域：{'请填写工作区域' if not district else f'“{district}”不是有效的区域'}"
        )
    if unit.district and row.district and row.district != unit.district:
        errors.append(f"工作区域：不属于{unit.name}，本单位只能导入本区域会员")

    cell = _text(raw["platforms"])
    for name in _PLATFORM_SPLIT.split(cell) if cell not in platforms else (cell,):
        if not name:
            continue
        pid = platforms.get(name) or platforms.get(name.lower())
        if pid is None:
            errors.append(f"平台：“{name}”不是已登记的平台")
        elif pid not in row.platform_ids:
            row.platform_ids.append(pid)

    try:
        row.joined_on = _joined_on(raw["joined_on"], today)
    except ValidationError as e:
        errors.extend(f"入会日期：{m}" for m in e.messages)


VALIDATE_PROGRESS_EVERY = 5000


def parse(data: bytes, *, unit: OrgUnit, progress: runner.Progress | None = None) -> Parsed:
    """Read and validate every row with the join form's rules. Raises RosterFileError for a file
    that cannot be imported at all; row errors are collected on the rows."""
    columns, cells = read_sheet(data)
    total = len(cells)
    platforms: dict[str, int] = {}
    for pid, code, name in Platform.objects.values_list("id", "code", "name"):
        platforms[code.lower()] = platforms[name] = pid
    today = timezone.localdate()
    first_line: dict[str, int] = {}
    rows: list[Row] = []
    valid = 0
    for n, (line, values) in enumerate(cells):
        if progress is not None and n % VALIDATE_PROGRESS_EVERY == 0:
            counts = {"done": f"{n:,}", "total": f"{total:,}"}
            progress(n, total, gettext("已校验 %(done)s / %(total)s 行") % counts)
        raw = {key: values[i] if i < len(values) else "" for key, i in columns.items()}
        raw.setdefault("joined_on", "")
        row = Row(line=line, raw=raw)
        _clean(row, unit, platforms, today)
        if row.id_number:
            row.id_hash = crypto.keyed_hash(row.id_number)
            seen = first_line.setdefault(row.id_hash, line)
            if seen != line:
                row.errors.append(f"身份证号：与第 {seen} 行重复")
        valid += row.ok
        rows.append(row)
    return Parsed(rows=rows, total=len(rows), valid=valid, errors=len(rows) - valid)


def _existing_hashes(hashes: list[str]) -> set[str]:
    if connection.vendor == "postgresql":  # one array parameter rather than a list of 100,000
        with pg_cursor() as cur:
            cur.execute(
                "SELECT id_number_hash FROM members_member WHERE id_number_hash = ANY(%s)", [hashes]
            )
            return {h for (h,) in cur}
    found: set[str] = set()
    for i in range(0, len(hashes), BATCH_SIZE):
        chunk = hashes[i : i + BATCH_SIZE]
        found.update(
            Member.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", flat=True)
        )
    return found


# --- files -------------------------------------------------------------------------------------


def _dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "roster"
    path.mkdir(parents=True, exist_ok=True)
    return path


def staged_path(imp: RosterImport) -> Path:
    """The validated rows waiting for the commit (personal data encrypted)."""
    return _dir() / imp.stored_name


def upload_path(imp: RosterImport) -> Path:
    """The uploaded workbook, encrypted, until the validation job has read it."""
    return _dir() / (Path(imp.stored_name).stem + ".upload")


def errors_path(imp: RosterImport) -> Path:
    return _dir() / (Path(imp.stored_name).stem + ".errors.xlsx")


def _masked(key: str, value: Any) -> Any:
    if key == "id_number":
        return mask_id_number(_text(value))
    if key == "phone":
        return mask_phone(_text(value))
    return _text(value)


def error_file_bytes(rows: Iterable[Row]) -> bytes:
    """The rows with errors, ID numbers and phones masked like every export, and the reasons.
    Cells are written as text only (a name like "=HYPERLINK(…)" stays text)."""
    header = ["行号", *(h for h, _, _ in COLUMNS), "错误说明"]
    keys = [key for _, key, _ in COLUMNS]
    body = (
        [r.line, *(_masked(k, r.raw.get(k, "")) for k in keys), "；".join(r.errors)]
        for r in rows
        if not r.ok
    )
    return xlsx_bytes(header, body, title="错误行")


def template_bytes() -> bytes:
    """The import template: the columns, text format for ID numbers and phones (so that Excel
    keeps all 18 digits), and a sheet that explains each column with the accepted values."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append([h for h, _, _ in COLUMNS])
    for i, (_, key, _) in enumerate(COLUMNS):
        letter = chr(ord("A") + i)
        ws.column_dimensions[letter].width = 22 if key in ("id_number", "platforms") else 14
        if key in ("id_number", "phone"):
            ws.column_dimensions[letter].number_format = "@"  # text: Excel keeps every digit
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    for line in (
        ["列", "说明"],
        ["姓名", "汉字或拉丁字母；少数民族姓名可用“·”"],
        ["身份证号", "18位居民身份证号码（请保持文本格式，勿转为数字）；须年满16周岁"],
        ["手机号", "11位中国大陆手机号码"],
        ["行业", "、".join(n for _, n in INDUSTRIES)],
        [
            "平台",
            "选填，可填多个，用“、”分隔："
            + "、".join(Platform.objects.values_list("name", flat=True)),
        ],
        ["工作区域", "、".join(n for _, n in DISTRICTS)],
        ["入会日期", "选填，格式 2024-03-01；不填则为导入当天"],
        [
            "",
            "第一行为列名，请勿修改；从第二行起每行一人。已是会员的（身份证号相同）不会重复导入。",
        ],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- reads -------------------------------------------------------------------------------------


def importable_units(user: Any):
    """Units a staff member may import into: the ones in their scope."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return OrgUnit.objects.none()
    if scope.city:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(
        Q(kind=OrgUnit.Kind.DISTRICT, district__in=scope.districts)
        | Q(kind=OrgUnit.Kind.INDUSTRY, industry__in=scope.industries)
    )


def imports_visible_to(user: Any):
    """Imports into units in the user's scope (a colleague of the same unit sees them too)."""
    return filter_in_scope(
        user,
        RosterImport.objects.select_related("unit", "created_by", "job"),
        district="unit__district",
        industry="unit__industry",
    )


# --- writes ------------------------------------------------------------------------------------


def _stage(rows: list[Row]) -> bytes:
    """The clean values of the rows the commit will write, as one encrypted blob (under the same
    keys as the members' personal data)."""
    staged = [
        [
            r.name,
            r.id_number,
            r.phone,
            r.industry,
            r.district,
            r.joined_on.isoformat() if r.joined_on else None,
            r.platform_ids,
        ]
        for r in rows
    ]
    return crypto.encrypt(json.dumps(staged, ensure_ascii=False, separators=(",", ":"))).encode()


def _staged(imp: RosterImport) -> list[list]:
    try:
        return json.loads(crypto.decrypt(staged_path(imp).read_text()))
    except FileNotFoundError:
        raise RuntimeError("待导入的数据已不在服务器上，请重新上传") from None


def _prepare(staged: list[list]) -> list[dict]:
    """Model fields of staged rows: personal data encrypted, hashed and masked (the join form's
    `member_fields`)."""
    return [
        member_fields(name=name, id_number=id_number, phone=phone)
        | {
            "industry": industry,
            "work_district": district,
            "joined_on": joined_on,
            "platform_ids": platform_ids,
        }
        for name, id_number, phone, industry, district, joined_on, platform_ids in staged
    ]


def roster_upload(*, user: Any, unit: OrgUnit, filename: str, data: bytes) -> RosterImport:
    """Accept an uploaded roster and queue its validation. A file that is plainly not an
    importable workbook raises ValidationError and writes nothing. The file is kept, encrypted,
    only until the validation job has read it (`roster_validate_job`)."""
    if not importable_units(user).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": ["无权导入到该单位"]})
    if not filename.lower().endswith(".xlsx"):
        raise RosterFileError("请上传 Excel 工作簿（.xlsx），可先下载模板填写")
    check_file(data)
    imp = RosterImport(
        created_by=user,
        unit=unit,
        filename=Path(filename).name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        stored_name=f"{uuid.uuid4().hex}.rows",
        status=RosterImport.Status.VALIDATING,
    )
    path = upload_path(imp)
    path.write_bytes(crypto.encrypt_bytes(data))
    try:
        with transaction.atomic():
            imp.save()
            imp.job = runner.job_enqueue(
                kind=VALIDATE_KIND, params={"import_id": imp.pk}, user=user
            )
            imp.save(update_fields=["job"])
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return imp


def _validate(imp: RosterImport, data: bytes, progress: runner.Progress) -> None:
    """Validate the rows of an upload; stage the clean values of its valid new rows (encrypted)
    and write the error file for the preview."""
    parsed = parse(data, unit=imp.unit, progress=progress)
    progress(parsed.total, parsed.total, gettext("正在比对已有会员"))
    valid = [r for r in parsed.rows if r.ok]
    existing = _existing_hashes([r.id_hash for r in valid])
    pending = [r for r in valid if r.id_hash not in existing]
    imp.total_rows = parsed.total
    imp.valid_rows = parsed.valid
    imp.error_rows = parsed.errors
    imp.pending_rows = len(pending)
    imp.existing_count = len(existing)  # already members: the commit skips them
    imp.errors_preview = [
        {
            "line": r.line,
            "name": _text(r.raw["name"])[:40],
            "id_number": _masked("id_number", r.raw["id_number"]),
            "errors": r.errors,
        }
        for r in parsed.rows
        if not r.ok
    ][:PREVIEW_ERRORS]
    staged_path(imp).write_bytes(_stage(pending))
    if parsed.errors:
        errors_path(imp).write_bytes(error_file_bytes(parsed.rows))


@runner.handler(VALIDATE_KIND)
def roster_validate_job(job: Job, progress: runner.Progress) -> dict:
    """Read an upload (in a child process of bounded memory), delete it, validate its rows. A
    file that cannot be imported at all marks the import failed with the reason, and the job
    fails with it."""
    imp = RosterImport.objects.select_related("unit").get(pk=job.params["import_id"])
    if imp.status != RosterImport.Status.VALIDATING:
        return {"status": imp.status}
    path = upload_path(imp)
    progress(0, None, gettext("正在读取文件"))
    try:
        try:
            data = crypto.decrypt_bytes(path.read_bytes())
        except FileNotFoundError:
            raise RosterFileError(gettext("上传的文件已不在服务器上，请重新上传")) from None
        finally:
            path.unlink(missing_ok=True)  # read once: the workbook is not kept
        _validate(imp, data, progress)
    except Exception as exc:
        file_error = exc.messages[0] if isinstance(exc, RosterFileError) else ""
        RosterImport.objects.filter(pk=imp.pk).update(
            status=RosterImport.Status.FAILED,
            error=(file_error or gettext("校验时出错，请重新上传"))[:500],
        )
        if file_error:
            raise RuntimeError(file_error) from exc  # the job fails with the message for staff
        raise
    imp.status = RosterImport.Status.VALIDATED
    imp.save(
        update_fields=[
            "status",
            "total_rows",
            "valid_rows",
            "error_rows",
            "pending_rows",
            "existing_count",
            "errors_preview",
        ]
    )
    progress(
        imp.total_rows,
        imp.total_rows,
        gettext("校验完成：有效 %(valid)s 行，错误 %(errors)s 行")
        % {"valid": f"{imp.valid_rows:,}", "errors": f"{imp.error_rows:,}"},
    )
    return {"valid": imp.valid_rows, "errors": imp.error_rows}


@transaction.atomic
def roster_commit_start(*, imp: RosterImport, user: Any, request: Any = None) -> RosterImport:
    """Start the commit job, or start it again after a failure (it resumes where it stopped)."""
    imp = RosterImport.objects.select_for_update().get(pk=imp.pk)
    if imp.status == RosterImport.Status.VALIDATING:
        raise ValidationError(gettext("文件还在校验中，请在校验完成后再导入"))
    if imp.status == RosterImport.Status.FAILED:
        raise ValidationError(gettext("这个文件无法导入，请按提示修改后重新上传"))
    running = imp.job is not None and imp.job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
    if imp.status == RosterImport.Status.DONE or running:
        return imp
    if imp.status == RosterImport.Status.EXPIRED:
        raise ValidationError("这次上传已过期，待导入的数据已清除，请重新上传")
    if imp.valid_rows == 0:
        raise ValidationError("没有可导入的有效行，请修改后重新上传")
    resume = imp.status == RosterImport.Status.COMMITTING
    imp.status = RosterImport.Status.COMMITTING
    imp.job = runner.job_enqueue(
        kind=JOB_KIND, params={"import_id": imp.pk}, user=user, total=imp.pending_rows
    )
    imp.save(update_fields=["status", "job"])
    audit_record(
        action="member.import_resume" if resume else "member.import_start",
        actor=user,
        obj=imp,
        detail={"filename": imp.filename, "rows": imp.pending_rows, "unit": imp.unit.code},
        request=request,
    )
    return imp


def _commit_batch(imp: RosterImport, start: int, rows: list[dict], unions: dict[str, int]) -> int:
    """Write one batch of staged rows and advance the resume point in the same transaction.
    Returns the new resume point."""
    end = start + len(rows)
    now = timezone.now()
    tz = timezone.get_default_timezone()  # join dates are local (Asia/Shanghai) midnights
    # Numbers are reserved outside the batch transaction so that joins are not held up by it; a
    # rolled-back batch, or a person who joined meanwhile, leaves a gap, never a duplicate.
    numbers = member_numbers(len(rows))
    members = [
        r
        | {
            "member_number": number,
            "union_id": unions[r["industry"]],
            "channel": Member.Channel.IMPORT,
            "import_batch_id": imp.pk,
            "joined_at": datetime.fromisoformat(r["joined_on"]).replace(tzinfo=tz)
            if r["joined_on"]
            else now,
        }
        for r, number in zip(rows, numbers, strict=True)
    ]
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=imp.pk)
        if locked.committed_through != start:  # another worker already wrote this batch
            return locked.committed_through
        inserted = insert_ignoring_conflicts(Member, members, returning=("id_number_hash", "id"))
        ids = dict(inserted.returned)
        insert_ignoring_conflicts(
            Member.platforms.through,
            [
                {"member_id": ids[r["id_number_hash"]], "platform_id": pid}
                for r in rows
                if r["id_number_hash"] in ids
                for pid in r["platform_ids"]
            ],
        )
        locked.created_count += len(ids)
        locked.committed_through = end
        locked.save(update_fields=["created_count", "committed_through"])
    imp.created_count = locked.created_count
    imp.committed_through = end
    return end


@runner.handler(JOB_KIND)
def roster_commit_job(job: Job, progress: runner.Progress) -> dict:
    """Commit an import in batches, from its resume point to the end."""
    imp = RosterImport.objects.select_related("unit").get(pk=job.params["import_id"])
    if imp.status == RosterImport.Status.DONE:
        return {"created": imp.created_count, "existing": imp.existing_count}
    staged = _staged(imp)
    total = len(staged)
    unions = dict(OrgUnit.objects.filter(kind=OrgUnit.Kind.INDUSTRY).values_list("industry", "id"))
    done = imp.committed_through
    progress(done, total, f"从第 {done:,} 人继续导入" if done else "开始导入")
    while done < total:
        batch = _prepare(staged[done : done + BATCH_SIZE])
        done = _commit_batch(imp, done, batch, unions)
        progress(done, total, f"已处理 {done:,} / {total:,} 人，新增 {imp.created_count:,} 人")
        if _after_batch is not None:
            _after_batch(imp, done)
    imp.status = RosterImport.Status.DONE
    imp.existing_count = imp.valid_rows - imp.created_count
    imp.save(update_fields=["status", "existing_count"])
    audit_record(
        action="member.import",
        actor=job.created_by,
        obj=imp,
        detail={
            "filename": imp.filename,
            "unit": imp.unit.code,
            "created": imp.created_count,
            "existing": imp.existing_count,
            "errors": imp.error_rows,
        },
    )
    staged_path(imp).unlink(missing_ok=True)
    progress(
        total,
        total,
        f"导入完成：新增 {imp.created_count:,} 人，已是会员 {imp.existing_count:,} 人，"
        f"错误 {imp.error_rows:,} 行",
    )
    return {"created": imp.created_count, "existing": imp.existing_count}


# --- synthetic rosters -------------------------------------------------------------------------


def roster_sample(n: int, *, seed: int = 0, district: str = "天宁区") -> list[list[str]]:
    """n synthetic, valid and distinct rows in the template's column order (tests, benchmark)."""
    from .. import demo

    rng = random.Random(seed)
    platforms = [(name, industry) for _, name, industry in PLATFORMS if industry]
    industry_name = dict(INDUSTRIES)
    seen: set[str] = set()
    rows: list[list[str]] = []
    while len(rows) < n:
        id_number = demo.fake_id_number(rng)
        if id_number in seen:
            continue
        seen.add(id_number)
        platform, industry = rng.choice(platforms)
        rows.append(
            [
                demo.fake_name(rng),
                id_number,
                demo.fake_phone(rng),
                industry_name[industry],
                platform,
                district,
                f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            ]
        )
    return rows


def roster_xlsx(rows: Iterable[Iterable[Any]], *, header: list[str] | None = None) -> bytes:
    """A roster workbook with the template's header (tests, benchmark)."""
    return xlsx_bytes(header or [h for h, _, _ in COLUMNS], rows, title="名册")


STAGING_DAYS = 7


def roster_purge_stale(*, days: int = STAGING_DAYS) -> int:
    """Uploads never validated, validated, or stopped mid-commit, left alone for `days`: delete
    their upload or staged rows — personal data kept only for the validation and the commit —
    and mark them expired. Returns how many."""
    cutoff = timezone.now() - timedelta(days=days)
    S = RosterImport.Status
    stale = RosterImport.objects.filter(
        status__in=[S.VALIDATING, S.VALIDATED, S.COMMITTING],
        created_at__lt=cutoff,
    ).exclude(job__status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    n = 0
    for imp in stale:
        with transaction.atomic():
            imp.status = RosterImport.Status.EXPIRED
            imp.save(update_fields=["status"])
            audit_record(action="member.import_expire", obj=imp, actor_label="system",
                         detail={"filename": imp.filename, "days": days})  # fmt: skip
            for path in (staged_path(imp), upload_path(imp)):
                transaction.on_commit(lambda path=path: path.unlink(missing_ok=True))
        n += 1
    return n

"""The files of an import, under PRIVATE_MEDIA_ROOT/roster with server-chosen names: the upload,
encrypted, until the validation job has read it; the clean values of the rows to be written,
encrypted, until the commit is done; the rows with errors, encrypted, from which the error file
staff download is made (in full for staff who may see personal data, else masked). And the
template staff fill in."""

import io
import json
from collections.abc import Iterable
from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from openpyxl import Workbook

from waystation.accounts.models import District, Industry, Platform
from waystation.privacy import crypto
from waystation.privacy.masking import mask_id_number, mask_phone

from ..exports import xlsx_bytes
from ..models import RosterImport
from .columns import HEADERS, KEYS, SHEET
from .reading import Row, text


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
    """The rows with errors as they were typed, encrypted, until the import is purged: the
    error file is made from them on each download (full or masked, for whom)."""
    return _dir() / (Path(imp.stored_name).stem + ".errors")


def masked(key: str, value: Any) -> str:
    """A raw cell as the error file and the preview show it: ID numbers and phones masked."""
    if key == "id_number":
        return mask_id_number(text(value))
    if key == "phone":
        return mask_phone(text(value))
    return text(value)


def cell_text(value: Any) -> str:
    """A raw cell as the error file gives it back: the text typed, a date as the template asks
    for it (2024-03-01, not a midnight's timestamp), so that the corrected file reads again."""
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    return text(value)


def error_rows_bytes(rows: Iterable[Row]) -> bytes:
    """The rows with errors, as typed, with their line and reasons, as one encrypted blob."""
    kept = [
        [r.line, [cell_text(r.raw.get(k, "")) for k in KEYS], r.errors] for r in rows if not r.ok
    ]
    return crypto.encrypt(json.dumps(kept, ensure_ascii=False, separators=(",", ":"))).encode()


def error_file_bytes(blob: bytes, *, full: bool) -> bytes:
    """The error file staff correct and upload again: the template's columns on a sheet named
    as the template's, the row's line before them and the reasons after them (both ignored on
    upload), ID numbers and phones in full (`full`, for staff who may see them) or masked like
    every export. Cells are written as text only (a name like "=HYPERLINK(…)" stays text)."""
    kept = json.loads(crypto.decrypt(blob.decode()))
    header = ["行号", *HEADERS, "错误说明"]
    body = (
        [
            line,
            *(v if full else masked(k, v) for k, v in zip(KEYS, values, strict=True)),
            "；".join(errors),
        ]
        for line, values, errors in kept
    )
    return xlsx_bytes(header, body, title=SHEET)


def template_bytes(city_ids: Iterable[int]) -> bytes:
    """The import template: the columns, text format for ID numbers and phones (so that Excel
    keeps all 18 digits), and a sheet that explains each column with the accepted values (the
    districts of the cities given: those the staff member imports into)."""
    districts = list(District.objects.filter(city_id__in=sorted(city_ids)).select_related("city"))
    several = len({d.city_id for d in districts}) > 1
    district_names = "、".join(f"{d.city.name}{d.name}" if several else d.name for d in districts)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADERS)
    for i, key in enumerate(KEYS):
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
        ["行业", "、".join(Industry.objects.values_list("name", flat=True))],
        [
            "平台",
            "选填，可填多个，用“、”分隔："
            + "、".join(Platform.objects.values_list("name", flat=True)),
        ],
        ["工作区域", district_names + (gettext("（按导入单位所在城市）") if several else "")],
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


def stage_bytes(rows: list[Row]) -> bytes:
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


def staged_rows(imp: RosterImport) -> list[list]:
    """The staged rows of an import: [name, id_number, phone, industry, district, joined_on
    (ISO date or None), platform_ids]. Raises RuntimeError (for staff) if they are gone."""
    try:
        return json.loads(crypto.decrypt(staged_path(imp).read_text()))
    except FileNotFoundError:
        raise RuntimeError("待导入的数据已不在服务器上，请重新上传") from None

"""Excel export and import of the station registry, coordinates in a declared datum.

One sheet, one station per row, the header row as in `COLUMNS`. Opening hours are written as
seven parts (Monday first) separated by "|", each part intervals like "08:00-20:00", several
joined by ","; an empty part is a day off. Import is all-or-nothing: any bad row and nothing is
written, with the errors listed by row number.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from python_calamine import CalamineError, CalamineWorkbook

from waystation.accounts.access import can_manage_station
from waystation.accounts.orgs import DISTRICT_NAMES
from waystation.geo.datums import from_wgs84
from waystation.members.exports import xlsx_bytes

from . import services
from .models import SERVICE_NAMES, Station

COLUMNS = [
    ("编号", "code"),
    ("名称", "name"),
    ("地址", "address"),
    ("区域", "district"),
    ("依托单位", "host"),
    ("状态", "status"),
    ("经度", "lon"),
    ("纬度", "lat"),
    ("24小时", "is_24h"),
    ("开放时间", "weekly_hours"),
    ("服务", "services"),
    ("容纳人数", "capacity"),
    ("联系电话", "contact_phone"),
    ("示范驿站", "is_model"),
    ("建设年度", "project_year"),
]
MAX_ROWS = 20_000
_DISTRICT_CODES = {name: code for code, name in DISTRICT_NAMES.items()}
_HOST_CODES = {label: code for code, label in Station.Host.choices}
_STATUS_CODES = {label: code for code, label in Station.Status.choices}
_SERVICE_CODES = {name: code for code, name in SERVICE_NAMES.items()}


def hours_text(weekly: list) -> str:
    return "|".join(",".join(f"{a}-{b}" for a, b in day) for day in weekly or [[]] * 7)


def hours_parse(text: str) -> list:
    parts = str(text or "").split("|")
    if len(parts) != 7:
        raise ValidationError({"weekly_hours": ["开放时间应为 7 段（周一至周日，用 | 分隔）"]})
    return [[p.strip().split("-", 1) for p in part.split(",") if p.strip()] for part in parts]


def registry_xlsx(stations, *, datum: str = "wgs84") -> bytes:
    rows = []
    items = list(stations)
    lons = [s.lon for s in items]
    lats = [s.lat for s in items]
    if items and datum != "wgs84":
        lons, lats = (list(v) for v in from_wgs84(lons, lats, datum))
    for s, lon, lat in zip(items, lons, lats, strict=True):
        rows.append(
            [
                s.code,
                s.name,
                s.address,
                s.get_district_display(),
                s.get_host_display(),
                s.get_status_display(),
                round(float(lon), 7),
                round(float(lat), 7),
                "是" if s.is_24h else "否",
                hours_text(s.weekly_hours),
                "、".join(s.service_names),
                s.capacity,
                s.contact_phone,
                "是" if s.is_model else "否",
                s.project_year or "",
            ]
        )
    return xlsx_bytes([h for h, _ in COLUMNS], rows, title=f"驿站（坐标系 {datum}）")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _row_data(values: dict[str, str]) -> dict:
    def choice(key: str, table: dict[str, str]) -> str:
        text = values.get(key, "")
        if text in table.values():
            return text
        if text not in table:
            raise ValidationError({key: [f"无法识别“{text}”"]})
        return table[text]

    data: dict[str, Any] = {
        "name": values.get("name", ""),
        "address": values.get("address", ""),
        "district": choice("district", _DISTRICT_CODES),
        "host": choice("host", _HOST_CODES),
        "status": choice("status", _STATUS_CODES),
        "is_24h": values.get("is_24h") in ("是", "1", "true", "TRUE"),
        "is_model": values.get("is_model") in ("是", "1", "true", "TRUE"),
        "contact_phone": values.get("contact_phone", ""),
        "capacity": int(values.get("capacity") or 0),
        "project_year": int(values["project_year"]) if values.get("project_year") else None,
        "services": [
            _SERVICE_CODES.get(n.strip(), n.strip())
            for n in values.get("services", "").replace(",", "、").split("、")
            if n.strip()
        ],
    }
    data["weekly_hours"] = (
        hours_parse(values.get("weekly_hours", "")) if not data["is_24h"] else [[]] * 7
    )
    return data


def registry_import(*, data: bytes, datum: str, actor: Any) -> ImportResult:
    """Create or update stations from a workbook; nothing is written if any row is bad."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, IndexError, ValueError) as exc:
        raise ValidationError({"file": ["无法读取文件：请上传 Excel 工作簿（.xlsx）"]}) from exc
    if not cells:
        raise ValidationError({"file": ["文件中没有数据"]})
    header = {_cell(h): i for i, h in enumerate(cells[0])}
    missing = [h for h, _ in COLUMNS if h not in header]
    if missing:
        raise ValidationError({"file": [f"缺少列：{'、'.join(missing)}"]})
    if len(cells) - 1 > MAX_ROWS:
        raise ValidationError({"file": [f"一次最多导入 {MAX_ROWS:,} 行"]})
    result = ImportResult()
    try:
        with transaction.atomic():
            for line, row in enumerate(cells[1:], start=2):
                values = {key: _cell(row[header[h]]) for h, key in COLUMNS}
                if not any(values.values()):
                    continue
                try:
                    _import_row(values, datum=datum, actor=actor, result=result)
                except (ValidationError, ValueError) as exc:
                    msgs = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                    result.errors.append((line, "；".join(msgs)))
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = result.updated = 0
    return result


class _Rollback(Exception):
    pass


def _import_row(values: dict[str, str], *, datum: str, actor: Any, result: ImportResult) -> None:
    data = _row_data(values)
    code = values.get("code", "").upper()
    station = Station.objects.filter(code=code).first()
    if station is None:
        probe = Station(district=data["district"])
        if not can_manage_station(actor, probe):
            raise ValidationError({"district": ["不在您的管理范围内"]})
        services.station_create(
            code=code, lon=values["lon"], lat=values["lat"], datum=datum, data=data, actor=actor
        )
        result.created += 1
        return
    if not can_manage_station(actor, station):
        raise ValidationError({"code": ["不在您的管理范围内"]})
    services.station_update(
        station=station, data=data, actor=actor, lon=values["lon"], lat=values["lat"], datum=datum
    )
    result.updated += 1

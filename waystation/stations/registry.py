"""Excel export and import of the station registry, coordinates in a declared datum.

One sheet, one station per row, the header row as in `COLUMNS`. Opening hours are written as
seven parts (Monday first) separated by "|", each part intervals like "08:00-20:00", several
joined by ","; an empty part is a day off.

The district column names a district of the importer's cities: by name where only one of those
cities has it, else by city and name ("无锡市梁溪区"), or by its code; an export writes the name.

Import is all-or-nothing: every row is checked in the request (any bad row and nothing is
written, with the errors listed by row number), then a background job writes the rows that
differ from the registry, with progress. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waystation.accounts.access import scope_of
from waystation.accounts.models import City, District
from waystation.core import xlsx
from waystation.geo.datums import DATUMS, from_wgs84
from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.members.exports import xlsx_bytes
from waystation.privacy.audit import AuditAction, audit_record

from . import services
from .access import can_manage_station
from .catalogue import catalogue, catalogue_checked, service_codes
from .locate import CityDistricts, district_at
from .models import Station

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
DATUM_CHOICES = [
    ("wgs84", "WGS-84 (GPS)"),
    ("gcj02", "GCJ-02 (高德/腾讯)"),
    ("bd09", "BD-09 (百度)"),
]
BATCH = 200  # rows written per transaction by the import job
JOB_KIND = "stations.registry_import"
_HOST_CODES = {label: code for code, label in Station.Host.choices}
_STATUS_CODES = {label: code for code, label in Station.Status.choices}


@dataclass
class Districts:
    """The districts an importer's rows may name: those of the cities the importer works in."""

    codes: dict[str, str] = field(default_factory=dict)  # text in the cell → district code
    ambiguous: set[str] = field(default_factory=set)  # names that several of the cities have
    cities: dict[str, City] = field(default_factory=dict)  # district code → its city
    _located: dict[int, CityDistricts] = field(default_factory=dict)  # city id → its districts

    @classmethod
    def of(cls, actor: User) -> Districts:
        out = cls()
        cities = {
            c.pk: c for c in City.objects.filter(pk__in=scope_of(actor).home_cities).only("name")
        }
        rows = District.objects.filter(city__in=cities).values_list("code", "name", "city_id")
        for code, name, city_id in rows:
            city = out.cities[code] = cities[city_id]
            out.codes[code] = out.codes[f"{city.name}{name}"] = code
            if out.codes.setdefault(name, code) != code:
                out.ambiguous.add(name)
        return out

    def of_city(self, code: str) -> CityDistricts:
        """The districts of the city of district `code`, for the location check (read once)."""
        city = self.cities[code]
        found = self._located.get(city.pk)
        if found is None:
            found = self._located[city.pk] = CityDistricts.of(city)
        return found

    def code(self, text: str) -> str:
        if text in self.ambiguous:
            raise ValidationError(
                {"district": [_("多个城市都有“%(name)s”，请写城市名和区域名") % {"name": text}]}
            )
        code = self.codes.get(text)
        if code is None:
            raise ValidationError({"district": [_("无法识别“%(text)s”") % {"text": text}]})
        return code


def hours_text(weekly: list) -> str:
    return "|".join(",".join(f"{a}-{b}" for a, b in day) for day in weekly or [[]] * 7)


def hours_parse(text: str) -> list:
    parts = str(text or "").split("|")
    if len(parts) != 7:
        raise ValidationError({"weekly_hours": ["开放时间应为 7 段（周一至周日，用 | 分隔）"]})
    return [[p.strip().split("-", 1) for p in part.split(",") if p.strip()] for part in parts]


def registry_xlsx(stations: Iterable[Station], *, datum: str = "wgs84") -> bytes:
    rows = []
    items = list(stations)
    lons = [s.lon for s in items]
    lats = [s.lat for s in items]
    if items and datum != "wgs84":
        lons, lats = (list(v) for v in from_wgs84(lons, lats, datum))
    district_names = dict(
        District.objects.filter(code__in={s.district_id for s in items}).values_list("code", "name")
    )
    for s, lon, lat in zip(items, lons, lats, strict=True):
        rows.append(
            [
                s.code,
                s.name,
                s.address,
                district_names[s.district_id],
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
    """What an import would do (or did): counts, and the errors by row number. `rows` are the
    creations and changes, cleaned (WGS-84, codes, masks), as the commit job writes them."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    job: Job | None = None


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _row_data(values: dict[str, str], districts: Districts) -> dict:
    def choice(key: str, table: dict[str, str]) -> str:
        text = values.get(key, "")
        if text in table.values():
            return text
        if text not in table:
            raise ValidationError({key: [f"无法识别“{text}”"]})
        return table[text]

    service_by_name = {name: code for code, name in catalogue().names.items()}
    data: dict[str, Any] = {
        "name": values.get("name", ""),
        "address": values.get("address", ""),
        "district": districts.code(values.get("district", "")),
        "host": choice("host", _HOST_CODES),
        "status": choice("status", _STATUS_CODES),
        "is_24h": values.get("is_24h") in ("是", "1", "true", "TRUE"),
        "is_model": values.get("is_model") in ("是", "1", "true", "TRUE"),
        "contact_phone": values.get("contact_phone", ""),
        "capacity": int(values.get("capacity") or 0),
        "project_year": int(values["project_year"]) if values.get("project_year") else None,
        "services": [
            service_by_name.get(n.strip(), n.strip())
            for n in values.get("services", "").replace(",", "、").split("、")
            if n.strip()
        ],
    }
    data["weekly_hours"] = (
        hours_parse(values.get("weekly_hours", "")) if not data["is_24h"] else [[]] * 7
    )
    return data


# Fields an import sets, as stored on Station (services as their mask).
_FIELDS = (
    "name",
    "address",
    "district",
    "host",
    "status",
    "lon",
    "lat",
    "is_24h",
    "weekly_hours",
    "services_mask",
    "capacity",
    "contact_phone",
    "is_model",
    "project_year",
)


def _clean_row(values: dict[str, str], *, datum: str, districts: Districts) -> dict:
    """One row as Station field values, checked as station_create checks them, without writing:
    the code, coordinates in `datum` (to WGS-84), district by location, services, hours."""
    code = values.get("code", "").upper()
    if not code or len(code) > 20 or not all(c.isalnum() or c == "-" for c in code):
        raise ValidationError({"code": ["驿站编号只能包含字母、数字和连字符"]})
    data = _row_data(values, districts)
    located = districts.of_city(data["district"])
    lon, lat = services.clean_location(values.get("lon"), values.get("lat"), datum)
    row = {
        "code": code,
        "name": data["name"],
        "address": data["address"],
        "district": district_at(districts=located, lon=lon, lat=lat, wanted=data["district"]),
        "host": data["host"],
        "status": data["status"],
        "lon": lon,
        "lat": lat,
        "is_24h": data["is_24h"],
        "weekly_hours": services.clean_weekly(data["weekly_hours"]),
        "services_mask": services.clean_services(data["services"]),
        "capacity": data["capacity"],
        "contact_phone": data["contact_phone"],
        "is_model": data["is_model"],
        "project_year": data["project_year"],
    }
    if not row["name"].strip():
        raise ValidationError({"name": ["请填写驿站名称"]})
    fields = {k: v for k, v in row.items() if k != "district"}
    Station(**fields, city=located.city, district_id=row["district"]).full_clean(
        exclude=["keepers", "city", "district"], validate_unique=False, validate_constraints=False
    )
    return row


def _changes(station: Station, row: dict) -> dict:
    """The fields of `row` that differ from the station (coordinates within ~1 cm)."""
    out = {}
    for key in _FIELDS:
        old, new = getattr(station, "district_id" if key == "district" else key), row[key]
        if key in ("lon", "lat"):
            if abs(old - new) > 1e-7:
                out[key] = new
        elif old != new:
            out[key] = new
    return out


def _sheet(data: bytes) -> list[list[Any]]:
    try:
        cells = xlsx.read(data)  # checked, then read in a child process of bounded memory
    except xlsx.XlsxError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if not cells:
        raise ValidationError({"file": ["文件中没有数据"]})
    return cells


def registry_check(*, data: bytes, datum: str, actor: User) -> ImportResult:
    """Read and check a workbook without writing: every row's errors (by row number), and the
    stations it would create or change. Rows equal to the registry are counted as unchanged, so
    importing the same file again has nothing to do."""
    if datum not in DATUMS:
        raise ValidationError({"datum": ["请选择表中坐标的坐标系（wgs84、gcj02 或 bd09）"]})
    cells = _sheet(data)
    header = {_cell(h): i for i, h in enumerate(cells[0])}
    missing = [h for h, _ in COLUMNS if h not in header]
    if missing:
        raise ValidationError({"file": [f"缺少列：{'、'.join(missing)}"]})
    if len(cells) - 1 > MAX_ROWS:
        raise ValidationError({"file": [f"一次最多导入 {MAX_ROWS:,} 行"]})
    result = ImportResult()
    catalogue_checked()  # once: the rows below read the catalogue
    districts = Districts.of(actor)
    cleaned: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(cells[1:], start=2):
        values = {key: _cell(raw[header[h]]) for h, key in COLUMNS}
        if not any(values.values()):
            continue
        try:
            row = _clean_row(values, datum=datum, districts=districts)
        except (ValidationError, ValueError) as exc:
            msgs = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            result.errors.append((line, "；".join(msgs)))
            continue
        if row["code"] in seen:
            result.errors.append((line, f"编号与第 {seen[row['code']]} 行重复"))
            continue
        seen[row["code"]] = line
        cleaned.append((line, row))
    existing = Station.objects.in_bulk([r["code"] for _, r in cleaned], field_name="code")
    for line, row in cleaned:
        station = existing.get(row["code"])
        new = Station(city=districts.cities[row["district"]], district_id=row["district"])
        if not can_manage_station(actor, new) or (
            station is not None and not can_manage_station(actor, station)
        ):
            result.errors.append((line, "不在您的管理范围内"))
        elif station is None:
            result.created += 1
            result.rows.append(row)
        elif _changes(station, row):
            result.updated += 1
            result.rows.append(row)
        else:
            result.unchanged += 1
    if result.errors:  # all or nothing: a file with a bad row writes nothing
        result.errors.sort()
        result.created = result.updated = result.unchanged = 0
        result.rows = []
    return result


def registry_apply(
    rows: list[dict], *, actor: User, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Write checked rows through the station services, `BATCH` rows per transaction. Each row
    is compared with the registry again when written, so a resumed or repeated run only writes
    what still differs."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        with transaction.atomic():
            existing = Station.objects.in_bulk([r["code"] for r in batch], field_name="code")
            for row in batch:
                station = existing.get(row["code"])
                if station is None:
                    data = {k: row[k] for k in _FIELDS if k not in ("lon", "lat")}
                    data["services"] = service_codes(data.pop("services_mask"))
                    services.station_create(
                        code=row["code"], lon=row["lon"], lat=row["lat"], data=data, actor=actor
                    )
                    counts["created"] += 1
                    continue
                diff = _changes(station, row)
                if not diff:
                    counts["unchanged"] += 1
                    continue
                lon, lat = diff.pop("lon", None), diff.pop("lat", None)
                if "services_mask" in diff:
                    diff["services"] = service_codes(diff.pop("services_mask"))
                if "district" in diff or lon is not None or lat is not None:
                    diff["district"] = row["district"]
                moved = lon is not None or lat is not None
                services.station_update(
                    station=station,
                    data=diff,
                    actor=actor,
                    lon=row["lon"] if moved else None,
                    lat=row["lat"] if moved else None,
                )
                counts["updated"] += 1
        if progress is not None:
            progress(start + len(batch))
    return counts


@transaction.atomic
def registry_import_start(*, data: bytes, datum: str, actor: User) -> ImportResult:
    """Check a workbook in full; if every row is good and some differ from the registry, queue
    the background job that writes them (progress on the job). Nothing is written if any row is
    bad, and a file equal to the registry queues nothing."""
    result = registry_check(data=data, datum=datum, actor=actor)
    if result.errors or not result.rows:
        return result
    result.job = runner.job_enqueue(
        kind=JOB_KIND,
        params={"datum": datum, "rows": result.rows},
        user=actor,
        total=len(result.rows),
    )
    audit_record(
        action=AuditAction.STATION_IMPORT_START,
        actor=actor,
        obj=result.job,
        detail={"datum": datum, "created": result.created, "updated": result.updated},
    )
    return result


def registry_import(*, data: bytes, datum: str, actor: User) -> ImportResult:
    """Check and write a workbook at once (no job); nothing is written if any row is bad."""
    result = registry_check(data=data, datum=datum, actor=actor)
    if not result.errors and result.rows:
        registry_apply(result.rows, actor=actor)
    return result

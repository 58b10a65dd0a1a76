"""Point layers (stations, demand, candidates) and the planning error type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from waystation.geo.datums import DatumError, check_lonlat, to_wgs84

Progress = Callable[[float, str], None]


class PlanningError(ValueError):
    """Input the analysis cannot use; the message is Chinese first, English second."""


@dataclass(frozen=True, eq=False)
class PointLayer:
    """Weighted points in WGS-84. ``source`` says where they came from (``synthetic`` ...)."""

    ids: NDArray[Any]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    weight: NDArray[np.float64]
    source: str = "file"
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.lon.size)

    def subset(self, mask: NDArray[np.bool_] | NDArray[np.intp]) -> PointLayer:
        """The points selected by a boolean mask or an index array."""
        return PointLayer(
            self.ids[mask],
            self.lon[mask],
            self.lat[mask],
            self.weight[mask],
            self.source,
            self.meta,
        )


def make_layer(
    lon: Any,
    lat: Any,
    *,
    ids: Sequence[Any] | NDArray[Any] | None = None,
    weight: Any = None,
    datum: str = "wgs84",
    source: str = "file",
    what: str = "点",
    allow_empty: bool = False,
) -> PointLayer:
    """Validate and build a layer, converting from ``datum`` to WGS-84.

    Raises PlanningError for an empty layer, mismatched lengths, NaN/out-of-range coordinates,
    negative or non-finite weights, or duplicate ids.
    """
    lon_a = np.asarray(lon, dtype=np.float64).ravel()
    lat_a = np.asarray(lat, dtype=np.float64).ravel()
    if lon_a.size != lat_a.size:
        raise PlanningError(f"{what}的经度和纬度个数不同 (lon/lat lengths differ)")
    if lon_a.size == 0 and not allow_empty:
        raise PlanningError(f"{what}图层为空 ({what} layer is empty)")
    try:
        check_lonlat(lon_a, lat_a)
        w_lon, w_lat = to_wgs84(lon_a, lat_a, datum)
    except DatumError as exc:
        raise PlanningError(f"{what}：{exc}") from exc
    if weight is None:
        w = np.ones(lon_a.size)
    else:
        w = np.asarray(weight, dtype=np.float64).ravel()
        if w.size != lon_a.size:
            raise PlanningError(f"{what}的权重个数不对 (weight length differs from points)")
        if not np.isfinite(w).all() or (w < 0).any():
            raise PlanningError(f"{what}的权重须为非负数 (weights must be finite and >= 0)")
    id_arr = np.arange(lon_a.size) if ids is None else np.asarray(ids)
    if id_arr.size != lon_a.size:
        raise PlanningError(f"{what}的编号个数不对 (id length differs from points)")
    if np.unique(id_arr).size != id_arr.size:
        raise PlanningError(f"{what}的编号有重复 (duplicate ids)")
    return PointLayer(id_arr, np.asarray(w_lon), np.asarray(w_lat), w, source)


def report(progress: Progress | None, fraction: float, message: str) -> None:
    """Call a progress callback if one was given."""
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def plain(value: Any) -> Any:
    """numpy scalars to Python scalars, for JSON."""
    return value.item() if isinstance(value, np.generic) else value

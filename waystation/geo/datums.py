"""Conversions between the three datums met in Chinese map data.

- ``wgs84``: GPS, OpenStreetMap; what waystation stores.
- ``gcj02``: the obfuscated "Mars" datum required for published maps in mainland China (Amap,
  Tencent, most Chinese data). The forward transform is the well-known public formula; the
  inverse has no closed form, so it is solved by fixed-point iteration to well under 1 mm.
- ``bd09``: Baidu's further shift of GCJ-02; its inverse is also iterated, not approximated.

Every function takes floats or numpy arrays (any shape, broadcast together) and returns the same
kind. Bad input raises :class:`DatumError`, whose message is Chinese first, English second.
"""

from __future__ import annotations

import math
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

DATUMS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
# Same rectangle as wandergis/coordtransform: outside it GCJ-02 equals WGS-84.
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)
# Fixed-point iterations stop when the residual is below this (degrees; ~1e-6 m).
_TOL_DEG = 1e-11
_MAX_ITER = 30

Floats = NDArray[np.float64]


class DatumError(ValueError):
    """Coordinates or datum name that cannot be converted (message Chinese first)."""


def _arrays(lon: Any, lat: Any) -> tuple[Floats, Floats, bool]:
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    try:
        lon_a = np.asarray(lon, dtype=np.float64)
        lat_a = np.asarray(lat, dtype=np.float64)
        lon_a, lat_a = np.broadcast_arrays(lon_a, lat_a)
    except (TypeError, ValueError) as exc:
        raise DatumError(f"坐标不是数字 (coordinates are not numbers): {exc}") from exc
    return lon_a, lat_a, scalar


def _result(lon: Floats, lat: Floats, scalar: bool) -> Any:
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def check_lonlat(lon: Any, lat: Any) -> None:
    """Raise :class:`DatumError` if any coordinate is NaN/inf or outside lon/lat range."""
    lon_a, lat_a, _ = _arrays(lon, lat)
    if not (np.isfinite(lon_a).all() and np.isfinite(lat_a).all()):
        raise DatumError("坐标含有空值或无穷大 (coordinates contain NaN or infinity)")
    bad_lon = np.abs(lon_a) > 180.0
    bad_lat = np.abs(lat_a) > 90.0
    if bad_lon.any() or bad_lat.any():
        i = int(np.flatnonzero((bad_lon | bad_lat).ravel())[0])
        raise DatumError(
            f"经纬度超出范围：第 {i + 1} 个点 ({lon_a.ravel()[i]}, {lat_a.ravel()[i]})"
            " (longitude must be within ±180 and latitude within ±90)"
        )


def _check_datum(datum: str) -> str:
    key = str(datum).strip().lower().replace("-", "").replace("_", "")
    if key not in DATUMS:
        raise DatumError(
            f"未知坐标系 “{datum}”，应为 {'、'.join(DATUMS)} 之一"
            f" (unknown datum {datum!r}; expected one of {', '.join(DATUMS)})"
        )
    return key


@overload
def out_of_china(lon: float, lat: float) -> bool: ...
@overload
def out_of_china(lon: Floats, lat: Floats) -> NDArray[np.bool_]: ...
def out_of_china(lon: Any, lat: Any) -> Any:
    """True where the point lies outside the rectangle in which GCJ-02 applies."""
    lon_a, lat_a, scalar = _arrays(lon, lat)
    out = (
        (lon_a < _CHINA_LON[0])
        | (lon_a > _CHINA_LON[1])
        | (lat_a < _CHINA_LAT[0])
        | (lat_a > _CHINA_LAT[1])
    )
    return bool(out) if scalar else out


def _require_in_china(lon: Floats, lat: Floats, datum: str) -> None:
    out = out_of_china(lon, lat)
    if np.any(out):
        i = int(np.flatnonzero(np.ravel(out))[0])
        raise DatumError(
            f"{datum} 坐标只在中国境内有定义：第 {i + 1} 个点"
            f" ({lon.ravel()[i]}, {lat.ravel()[i]}) 在境外"
            f" ({datum} coordinates are only defined inside China; this point is outside)"
        )


def _gcj_offset(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """The GCJ-02 shift (degrees) at a WGS-84 point, zero outside China."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    six_x = np.sin(6.0 * x * math.pi)
    two_x = np.sin(2.0 * x * math.pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat = dlat + (20.0 * six_x + 20.0 * two_x) * 2.0 / 3.0
    dlat = dlat + (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat = (
        dlat + (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon = dlon + (20.0 * six_x + 20.0 * two_x) * 2.0 / 3.0
    dlon = dlon + (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon = (
        dlon + (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * math.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def _wgs_to_gcj(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def _gcj_to_bd(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_to_gcj_approx(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(
    forward: Any, lon: Floats, lat: Floats, start: tuple[Floats, Floats]
) -> tuple[Floats, Floats]:
    """Solve forward(x) = (lon, lat) by fixed-point iteration from ``start``.

    Both shifts are smooth and change by far less than 1 per unit of input, so the iteration
    x <- x - (forward(x) - target) contracts quickly (about 1e-5 per step near Changzhou).
    """
    x_lon, x_lat = start
    for _ in range(_MAX_ITER):
        f_lon, f_lat = forward(x_lon, x_lat)
        r_lon = f_lon - lon
        r_lat = f_lat - lat
        x_lon = x_lon - r_lon
        x_lat = x_lat - r_lat
        if (
            max(
                float(np.max(np.abs(r_lon), initial=0.0)), float(np.max(np.abs(r_lat), initial=0.0))
            )
            < _TOL_DEG
        ):
            break
    return x_lon, x_lat


def wgs84_to_gcj02(lon: Any, lat: Any) -> Any:
    """WGS-84 → GCJ-02. Points outside China are returned unchanged (as GCJ-02 defines)."""
    lon_a, lat_a, scalar = _arrays(lon, lat)
    check_lonlat(lon_a, lat_a)
    return _result(*_wgs_to_gcj(lon_a, lat_a), scalar)


def gcj02_to_wgs84(lon: Any, lat: Any) -> Any:
    """GCJ-02 → WGS-84, the exact inverse (iterated; round trip well under 1 cm)."""
    lon_a, lat_a, scalar = _arrays(lon, lat)
    check_lonlat(lon_a, lat_a)
    _require_in_china(lon_a, lat_a, "GCJ-02")
    dlon, dlat = _gcj_offset(lon_a, lat_a)
    return _result(*_invert(_wgs_to_gcj, lon_a, lat_a, (lon_a - dlon, lat_a - dlat)), scalar)


def gcj02_to_bd09(lon: Any, lat: Any) -> Any:
    """GCJ-02 → BD-09 (Baidu)."""
    lon_a, lat_a, scalar = _arrays(lon, lat)
    check_lonlat(lon_a, lat_a)
    _require_in_china(lon_a, lat_a, "GCJ-02")
    return _result(*_gcj_to_bd(lon_a, lat_a), scalar)


def bd09_to_gcj02(lon: Any, lat: Any) -> Any:
    """BD-09 → GCJ-02, the exact inverse of :func:`gcj02_to_bd09` (iterated)."""
    lon_a, lat_a, scalar = _arrays(lon, lat)
    check_lonlat(lon_a, lat_a)
    _require_in_china(lon_a, lat_a, "BD-09")
    start = _bd_to_gcj_approx(lon_a, lat_a)
    return _result(*_invert(_gcj_to_bd, lon_a, lat_a, start), scalar)


def wgs84_to_bd09(lon: Any, lat: Any) -> Any:
    """WGS-84 → BD-09 (via GCJ-02)."""
    lon_a, lat_a, scalar = _arrays(lon, lat)
    check_lonlat(lon_a, lat_a)
    _require_in_china(lon_a, lat_a, "WGS-84 → BD-09")
    return _result(*_gcj_to_bd(*_wgs_to_gcj(lon_a, lat_a)), scalar)


def bd09_to_wgs84(lon: Any, lat: Any) -> Any:
    """BD-09 → WGS-84 (via GCJ-02), both steps exact inverses."""
    g_lon, g_lat = bd09_to_gcj02(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    )
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    return _result(np.asarray(w_lon), np.asarray(w_lat), np.ndim(lon) == 0 and np.ndim(lat) == 0)


def to_wgs84(lon: Any, lat: Any, datum: str) -> Any:
    """Convert coordinates given in ``datum`` (``wgs84``, ``gcj02`` or ``bd09``) to WGS-84."""
    key = _check_datum(datum)
    if key == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if key == "bd09":
        return bd09_to_wgs84(lon, lat)
    lon_a, lat_a, scalar = _arrays(lon, lat)
    check_lonlat(lon_a, lat_a)
    return _result(lon_a.copy(), lat_a.copy(), scalar)


def from_wgs84(lon: Any, lat: Any, datum: str) -> Any:
    """Convert WGS-84 coordinates to ``datum`` (e.g. for Amap or Baidu navigation links)."""
    key = _check_datum(datum)
    if key == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if key == "bd09":
        return wgs84_to_bd09(lon, lat)
    lon_a, lat_a, scalar = _arrays(lon, lat)
    check_lonlat(lon_a, lat_a)
    return _result(lon_a.copy(), lat_a.copy(), scalar)

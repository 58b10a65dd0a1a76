"""File adapters: point layers from CSV or GeoJSON, GeoJSON/JSON out."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from waystation.planning.layers import PlanningError, PointLayer, make_layer

_ALIASES = {"lng": "lon", "longitude": "lon", "latitude": "lat", "x": "lon", "y": "lat"}
OPEN_STATUSES = {"open", "开放", "营业"}


def read_points(path: str | Path, *, datum: str = "wgs84", what: str = "点") -> PointLayer:
    """Read ``id,lon,lat[,weight]`` CSV (extra columns kept in ``meta['columns']``) or
    GeoJSON Point features (``id`` or ``properties.id``, ``properties.weight``)."""
    p = Path(path)
    if not p.is_file():
        raise PlanningError(f"{what}文件不存在：{p} ({what} file not found)")
    if p.suffix.lower() in (".geojson", ".json"):
        return _read_geojson(p, datum, what)
    return _read_csv(p, datum, what)


def _read_csv(p: Path, datum: str, what: str) -> PointLayer:
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [
                _ALIASES.get(h.strip().lower(), h.strip().lower()) for h in reader.fieldnames or []
            ]
            missing = [c for c in ("id", "lon", "lat") if c not in header]
            if missing:
                raise PlanningError(
                    f"{what}文件 {p.name} 缺少列：{', '.join(missing)}"
                    f" (missing columns; expected id,lon,lat[,weight])"
                )
            rows = [dict(zip(header, r.values(), strict=False)) for r in reader]
    except UnicodeDecodeError as exc:
        raise PlanningError(f"{what}文件须为 UTF-8 编码 ({p.name} is not UTF-8)") from exc
    columns = {c: [r.get(c) for r in rows] for c in header}
    lon = _numbers(columns["lon"], "lon", p, what)
    lat = _numbers(columns["lat"], "lat", p, what)
    weight = _numbers(columns["weight"], "weight", p, what) if "weight" in columns else None
    layer = make_layer(
        lon, lat, ids=np.array(columns["id"], dtype=object), weight=weight, datum=datum, what=what
    )
    layer.meta["columns"] = {k: np.array(v, dtype=object) for k, v in columns.items()}
    return layer


def _numbers(values: list[Any], column: str, p: Path, what: str) -> np.ndarray:
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise PlanningError(
                f"{what}文件 {p.name} 第 {i + 2} 行 {column} 不是数字：{v!r}"
                f" (row {i + 2}: {column} is not a number)"
            ) from None
    return out


def _read_geojson(p: Path, datum: str, what: str) -> PointLayer:
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        feats = data["features"] if data.get("type") == "FeatureCollection" else [data]
        ids, lon, lat, weight = [], [], [], []
        for i, f in enumerate(feats):
            geom = f.get("geometry") or {}
            if geom.get("type") != "Point":
                raise PlanningError(
                    f"{what}文件 {p.name} 第 {i + 1} 个要素不是点 (feature {i + 1} is not a Point)"
                )
            props = f.get("properties") or {}
            ids.append(f.get("id", props.get("id", i)))
            lon.append(float(geom["coordinates"][0]))
            lat.append(float(geom["coordinates"][1]))
            weight.append(float(props.get("weight", 1.0)))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlanningError(
            f"{what}文件 {p.name} 不是有效的 GeoJSON (invalid GeoJSON): {exc}"
        ) from exc
    datum = str(data.get("datum", datum)) if datum == "wgs84" else datum
    return make_layer(
        lon, lat, ids=np.array(ids, dtype=object), weight=weight, datum=datum, what=what
    )


def filter_stations(layer: PointLayer, service: str | None = None) -> PointLayer:
    """Keep open stations (if a ``status`` column exists) offering ``service`` (``services``
    column, separated by ``;``, ``,`` or ``、``)."""
    cols = layer.meta.get("columns", {})
    keep = np.ones(len(layer), dtype=bool)
    if "status" in cols:
        keep &= np.array([str(s).strip().lower() in OPEN_STATUSES for s in cols["status"]])
    if service:
        if "services" not in cols:
            raise PlanningError("驿站文件没有 services 列，无法按服务筛选 (no services column)")
        keep &= np.array(
            [
                service in str(s).replace(",", ";").replace("、", ";").split(";")
                for s in cols["services"]
            ]
        )
    out = layer.subset(keep)
    if len(out) == 0:
        raise PlanningError("筛选后没有开放的驿站 (no open stations left after filtering)")
    return out


def write_json(data: Any, path: str | Path) -> None:
    """Write JSON (UTF-8, Chinese kept readable)."""
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def write_points_csv(layer: PointLayer, path: str | Path) -> None:
    """Write a layer as ``id,lon,lat,weight`` CSV (WGS-84)."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "lon", "lat", "weight"])
        for i in range(len(layer)):
            w.writerow(
                [layer.ids[i], f"{layer.lon[i]:.7f}", f"{layer.lat[i]:.7f}", f"{layer.weight[i]:g}"]
            )

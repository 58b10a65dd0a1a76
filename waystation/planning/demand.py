"""Demand layers: synthetic riders and stations in a city's boundaries, LaDe pickups, and
candidate sites generated over uncovered hotspots.

The synthetic layers are *not* real data. They are labelled ``source="synthetic"`` and every
report built on them says so. The commercial centres are hand-placed approximations of
Changzhou's (WGS-84); in another city none of them lies inside the boundaries, and the layer is
uniform over the city instead.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from waystation.geo.boundaries import Boundaries
from waystation.geo.distance import EARTH_RADIUS_M
from waystation.planning import hexgrid
from waystation.planning.layers import PlanningError, PointLayer, make_layer

LADE_DIR = Path(__file__).resolve().parent / "data" / "lade"
LADE_CITIES = ("hangzhou", "shanghai")
SYNTHETIC_NOTE = "合成数据，仅供演示与测试 (synthetic data for demos and tests, not real riders)"

# (name, lon, lat, relative weight, spread in km): approximate commercial centres, WGS-84.
COMMERCIAL_CENTRES: tuple[tuple[str, float, float, float, float], ...] = (
    ("南大街 (天宁/钟楼老城)", 119.951, 31.781, 3.0, 1.5),
    ("红梅/火车站 (天宁)", 119.985, 31.792, 1.5, 1.5),
    ("新北万达/恐龙园 (新北)", 119.967, 31.815, 2.5, 2.0),
    ("怀德/莱蒙 (钟楼)", 119.925, 31.776, 1.5, 1.5),
    ("湖塘 (武进)", 119.950, 31.710, 2.5, 2.0),
    ("科教城 (武进)", 119.955, 31.680, 1.0, 1.5),
    ("戚墅堰 (经开区)", 120.055, 31.725, 1.0, 1.5),
    ("薛家 (新北)", 119.900, 31.850, 0.8, 1.5),
    ("金坛城区 (金坛)", 119.595, 31.735, 1.0, 1.5),
    ("溧阳城区 (溧阳)", 119.484, 31.416, 1.0, 1.5),
    ("横林 (武进)", 120.100, 31.720, 0.5, 2.0),
)


def _centres_in(boundaries: Boundaries) -> NDArray[np.float64]:
    """The commercial centres (lon, lat, weight, spread km) that lie inside the boundaries."""
    centres = np.array([c[1:] for c in COMMERCIAL_CENTRES], dtype=np.float64)
    return centres[boundaries.contains(centres[:, 0], centres[:, 1])]


def _clustered_points(
    n: int, rng: np.random.Generator, background: float, boundaries: Boundaries
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gaussian clusters around the centres plus a uniform background, all inside the units."""
    centres = _centres_in(boundaries)
    n_bg = round(n * background) if centres.size else n
    n_cl = n - n_bg
    p = centres[:, 2] / centres[:, 2].sum() if centres.size else np.zeros(0)
    lons: list[NDArray[np.float64]] = []
    lats: list[NDArray[np.float64]] = []
    have = 0
    while have < n_cl:
        m = int((n_cl - have) * 1.2) + 16
        which = rng.choice(centres.shape[0], size=m, p=p)
        sigma_m = centres[which, 3] * 1000.0
        north = rng.normal(0.0, 1.0, m) * sigma_m
        east = rng.normal(0.0, 1.0, m) * sigma_m
        lat = centres[which, 1] + np.degrees(north / EARTH_RADIUS_M)
        lon = centres[which, 0] + np.degrees(
            east / (EARTH_RADIUS_M * np.cos(np.radians(centres[which, 1])))
        )
        inside = boundaries.contains(lon, lat)
        lons.append(lon[inside])
        lats.append(lat[inside])
        have += int(inside.sum())
    cl_lon = np.concatenate(lons)[:n_cl] if lons else np.zeros(0)
    cl_lat = np.concatenate(lats)[:n_cl] if lats else np.zeros(0)
    bg_lon, bg_lat = boundaries.random_points(n_bg, rng) if n_bg else (np.zeros(0), np.zeros(0))
    lon = np.concatenate([cl_lon, bg_lon])
    lat = np.concatenate([cl_lat, bg_lat])
    order = rng.permutation(lon.size)
    return lon[order], lat[order]


def synthetic_riders(
    n: int, seed: int = 2024, background: float = 0.15, *, boundaries: Boundaries
) -> PointLayer:
    """Reproducible synthetic rider demand in ``boundaries`` (``n`` points, weight 1 each).

    ``1 - background`` of the points cluster around the commercial centres inside the
    boundaries, the rest are uniform over the whole (all of them where no centre is inside);
    every point lies inside a unit of the boundaries.
    """
    if n <= 0:
        raise PlanningError(f"点数须为正 (n must be positive): {n}")
    lon, lat = _clustered_points(n, np.random.default_rng(seed), background, boundaries)
    layer = make_layer(
        lon, lat, ids=np.array([f"syn-{i:07d}" for i in range(n)]), source="synthetic"
    )
    layer.meta.update(
        {
            "note": SYNTHETIC_NOTE,
            "seed": seed,
            "generator": "synthetic_riders",
            "centres": len(_centres_in(boundaries)),
        }
    )
    return layer


def synthetic_stations(
    n: int = 312, seed: int = 312, background: float = 0.3, *, boundaries: Boundaries
) -> PointLayer:
    """Synthetic station locations in ``boundaries`` (the real ones are not in the data);
    labelled synthetic."""
    lon, lat = _clustered_points(n, np.random.default_rng(seed), background, boundaries)
    layer = make_layer(
        lon, lat, ids=np.array([f"st-{i + 1:03d}" for i in range(n)]), source="synthetic"
    )
    layer.meta.update({"note": SYNTHETIC_NOTE, "seed": seed, "generator": "synthetic_stations"})
    return layer


def load_lade(city: str = "hangzhou", path: str | Path | None = None) -> PointLayer:
    """LaDe courier pickups of one city (GCJ-02 in the file, WGS-84 here), weight 1 each."""
    if path is None:
        if city not in LADE_CITIES:
            raise PlanningError(f"LaDe 只有 {'、'.join(LADE_CITIES)} (LaDe has no city {city!r})")
        path = LADE_DIR / f"lade_pickup_{city}.csv"
    ids: list[str] = []
    lon: list[float] = []
    lat: list[float] = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            ids.append(row["order_id"])
            lon.append(float(row["lng"]))
            lat.append(float(row["lat"]))
    layer = make_layer(lon, lat, ids=np.array(ids), datum="gcj02", source=f"lade-{city}")
    layer.meta["note"] = "LaDe (Cainiao, Apache-2.0) 揽收点 pickups; datum assumed GCJ-02"
    return layer


def candidates_from_hotspots(
    uncovered: PointLayer, n: int, resolution: int = hexgrid.DEFAULT_RESOLUTION
) -> PointLayer:
    """Candidate sites at the centres of the ``n`` heaviest H3 cells of uncovered demand."""
    cells, _w, _c = hexgrid.aggregate(uncovered.lon, uncovered.lat, uncovered.weight, resolution)
    cells = cells[:n]
    lon, lat = hexgrid.centres(cells)
    return make_layer(
        lon,
        lat,
        ids=np.array([f"hex-{c}" for c in cells]),
        source="hotspots",
        what="候选点",
        allow_empty=True,
    )

"""Hexagon aggregation (H3) for hotspots, and hexagons as GeoJSON."""

from __future__ import annotations

from typing import Any

import h3
import numpy as np
from numpy.typing import NDArray

from waystation.planning.layers import plain

DEFAULT_RESOLUTION = 8  # ~0.74 km² per cell, edge ~0.53 km: a few minutes by e-bike


def cells_of(lon: NDArray[np.float64], lat: NDArray[np.float64], resolution: int) -> NDArray[Any]:
    """H3 cell (hex string) of each WGS-84 point."""
    return np.array(
        [h3.latlng_to_cell(float(y), float(x), resolution) for x, y in zip(lon, lat, strict=True)],
        dtype=object,
    )


def aggregate(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    weight: NDArray[np.float64],
    resolution: int = DEFAULT_RESOLUTION,
) -> tuple[NDArray[Any], NDArray[np.float64], NDArray[np.int64]]:
    """Sum weights per H3 cell: (cells, weight, count), heaviest cell first."""
    if lon.size == 0:
        return np.array([], dtype=object), np.zeros(0), np.zeros(0, dtype=np.int64)
    cells = cells_of(lon, lat, resolution)
    uniq, inverse = np.unique(cells.astype(str), return_inverse=True)
    w = np.bincount(inverse, weights=weight, minlength=uniq.size)
    c = np.bincount(inverse, minlength=uniq.size).astype(np.int64)
    order = np.lexsort((uniq, -w))
    return uniq[order].astype(object), w[order], c[order]


def centres(cells: NDArray[Any]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centre (lon, lat) of each H3 cell."""
    latlng = np.array([h3.cell_to_latlng(str(c)) for c in cells], dtype=np.float64).reshape(-1, 2)
    return latlng[:, 1], latlng[:, 0]


def hexagons_geojson(
    cells: NDArray[Any], properties: dict[str, NDArray[Any]] | None = None
) -> dict[str, Any]:
    """Cells as a GeoJSON FeatureCollection (WGS-84), one property per array given."""
    props = properties or {}
    features = []
    for i, cell in enumerate(cells):
        ring = [[round(lng, 7), round(lat, 7)] for lat, lng in h3.cell_to_boundary(str(cell))]
        ring.append(ring[0])
        values = {k: plain(v[i]) for k, v in props.items()}
        features.append(
            {
                "type": "Feature",
                "properties": {"h3": str(cell), **values},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}

"""Places a person can pick instead of sharing a location (the no-script nearest page): the roads
and landmarks in the public stations' own addresses, per district.

An address such as "常州市天宁区青洋北路88号" gives the road "青洋北路": the leading city and
district are dropped, and the text up to the first road word (路, 街, 大道 …) is the place; an
address without one gives its text without the house number ("万达广场"), and a station with
no address its own name. A place's point is the centre of its stations (WGS-84), so "nearest to
青洋北路" starts there. Built from the nearest-station index (no query), once per index.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from .index import Index

_ADMIN = re.compile(r"^(?:.{1,8}?(?:省|自治区))?(?:.{1,8}?市)?(?:.{1,8}?(?:区|县|市))?")
_ROAD = re.compile(r"^(.+?(?:大道|公路|路|街|巷|弄|道))(?=\d|[东西南北中]?段|$|[^\u4e00-\u9fff])")
_NUMBER = re.compile(r"[\d\-－号#（(].*$")


@dataclass(frozen=True)
class Place:
    name: str
    lon: float  # WGS-84: the centre of its stations
    lat: float
    stations: int


def place_of(address: str, name: str = "") -> str:
    """The road or landmark of an address ("" when none can be told)."""
    text = (address or "").strip().replace(" ", "")
    tail = _ADMIN.sub("", text, count=1) or text
    road = _ROAD.match(tail)
    if road:
        return road.group(1)
    landmark = _NUMBER.sub("", tail).strip()
    return landmark or (name or "").strip()


_lock = threading.Lock()
_built: tuple[int, int, dict[str, list[Place]]] | None = None  # (id(index), stamp, places)


def places_by_district(index: Index) -> dict[str, list[Place]]:
    """The places of each district's public stations, most stations first, then by name."""
    global _built
    built = _built
    if built is not None and built[0] == id(index) and built[1] == index.stamp:
        return built[2]
    groups: dict[str, dict[str, list[int]]] = {}
    for row in np.flatnonzero(index.public).tolist():
        place = place_of(index.addresses[row], index.names[row])
        if place:
            groups.setdefault(index.districts[row], {}).setdefault(place, []).append(row)
    out: dict[str, list[Place]] = {}
    for district, by_name in groups.items():
        places = [
            Place(
                name,
                float(index.lon[rows].mean()),
                float(index.lat[rows].mean()),
                len(rows),
            )
            for name, rows in by_name.items()
        ]
        places.sort(key=lambda p: (-p.stations, p.name))
        out[district] = places
    with _lock:
        _built = (id(index), index.stamp, out)
    return out

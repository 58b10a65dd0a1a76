"""The public map layer (`GET /api/v1/stations`): every public station as a GeoJSON Feature,
kept as ready JSON bytes with an ETag in each process until the registry changes.

Each request reads the registry stamp (one primary-key query, the stamp the nearest index
compares; services.registry_touch changes it on every station or exception write) and serves the
cached bytes while the stamp is the one they were built at. The stamp is read before the
stations, so a change landing during a build leaves the entry with an older stamp: built again
on the next request, never served stale. Processes keep their own entries; the stamp is shared,
so an edit shows everywhere on the next request.

Open/closed states and their labels move with the clock, not with the registry: an entry also
expires at the first moment one of its stations opens or closes (`OpenState.until`) and at
midnight (labels say "明天 08:00" until then).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from waystation.accounts.models import District
from waystation.geo.datums import from_wgs84

from . import index
from .catalogue import catalogue, catalogue_follow
from .hours import TZ
from .index import registry_stamp
from .selectors import clean_datum, clean_service

MAX_ENTRIES = 256  # filter combinations kept per process; all are dropped when exceeded


@dataclass(frozen=True)
class Layer:
    body: bytes
    etag: str  # quoted, strong: a hash of `body`
    stamp: int  # the registry stamp read before the stations were
    expires: datetime  # the next change of an open/closed state, or midnight


Key = tuple[str, str, bool, str]
_cache: dict[Key, Layer] = {}


def cache_clear() -> None:
    _cache.clear()


def clean_key(*, service: str, open_now: bool, district: str, datum: str) -> Key:
    """The filters in one canonical form (so "GCJ-02" and "gcj02" share an entry); a
    ValidationError for an unknown value, which is never cached. The district (a code of any
    city: the map spans every city) is checked against its rows on a cache miss only (`_build`):
    an entry is only ever made for a district that exists."""
    district = (district or "").strip()
    return clean_datum(datum), clean_service(service), bool(open_now), district


def _district_check(district: str) -> None:
    if district and not District.objects.filter(code=district).exists():
        raise ValidationError(
            {"district": [_("未知区域“%(district)s” (unknown district)") % {"district": district}]}
        )


def station_layer(
    *,
    service: str = "",
    open_now: bool = False,
    district: str = "",
    datum: str = "wgs84",
    at: datetime | None = None,
) -> Layer:
    """The map layer for these filters, from this process's cache if still valid."""
    stamp = registry_stamp()
    catalogue_follow(stamp)  # before the service is checked: it may be a new one
    key = clean_key(service=service, open_now=open_now, district=district, datum=datum)
    at = at or datetime.now(TZ)
    hit = _cache.get(key)
    if hit is not None and hit.stamp == stamp and at < hit.expires:
        return hit
    layer = _build(key, stamp, at)
    if len(_cache) >= MAX_ENTRIES or any(v.stamp != stamp for v in _cache.values()):
        _cache.clear()  # entries of an older registry can never be served again
    _cache[key] = layer
    return layer


def _build(key: Key, stamp: int, at: datetime) -> Layer:
    datum, service, open_now, district = key
    _district_check(district)
    today = at.astimezone(TZ).date()
    # The nearest index if it holds this registry (its schedules are parsed already), else a
    # load of our own: right after a change the shared one is rebuilt in the background and
    # serves the previous registry meanwhile, which this answer must not.
    idx = index.station_index()
    if idx.stamp != stamp or idx.day != today:
        idx = index.build(stamp, today)
    services = catalogue()
    bit = services.bits.get(service, 0)
    rows = [
        r
        for r in range(idx.size)
        if idx.public[r]
        and (not bit or int(idx.mask[r]) & bit == bit)
        and (not district or idx.districts[r] == district)
    ]
    lon, lat = idx.lon[rows], idx.lat[rows]
    if datum != "wgs84" and rows:
        lon, lat = from_wgs84(lon, lat, datum)
    expires = datetime.combine(today + timedelta(days=1), time(0), tzinfo=TZ)
    features = []
    for k, r in enumerate(rows):
        state = idx.state(r, at)
        if state.until is not None:
            expires = min(expires, state.until)
        if open_now and not state.open:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(float(lon[k]), 7), round(float(lat[k]), 7)],
                },
                "properties": {
                    "code": idx.codes[r],
                    "name": idx.names[r],
                    "address": idx.addresses[r],
                    "district": idx.districts[r],
                    "status": idx.statuses[r],
                    "open_now": state.open,
                    "open_label": state.label,
                    "services": services.codes(int(idx.mask[r])),
                },
            }
        )
    body = json.dumps(
        {"type": "FeatureCollection", "datum": datum, "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    return Layer(body=body, etag=etag, stamp=stamp, expires=expires)

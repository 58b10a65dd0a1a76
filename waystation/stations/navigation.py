"""Navigation links to a station: route planning in the map apps riders have (Amap, Baidu,
Tencent Maps, which WeChat opens by default), as their documented URIs, never a marker page.

Each URI takes GCJ-02 (the station's published datum), said explicitly where the app defaults
to another (Baidu defaults to its own BD-09: `coord_type=gcj02`). Where a URI lets the origin be
left out, it is: the app then starts from the phone's own location at the moment of navigating,
which beats any point this site knows (the point a person tapped on the map is not where they
are). Riders go by e-bike, so the cycling mode wherever the URI has one.

- Amap `https://uri.amap.com/navigation`: `to=lon,lat,name`, `mode=ride`, `coordinate=gaode`
  (GCJ-02), `callnative=1` (open the app when installed), `src`. No `from`: current location.
- Baidu `https://api.map.baidu.com/direction` (web, opens the app when installed): `origin` is
  required there, so it is the person's point when the page has one (`latlng:lat,lng`, with
  `coord_type=gcj02` for both ends), `mode=walking` (the web URI has no cycling mode),
  `output=html`, `src=webapp.company.app`. Without a point, the app URI `baidumap://map/direction`
  (origin optional: current location), `mode=riding`.
- Tencent `https://apis.map.qq.com/uri/v1/routeplan`: `type=walk` (its web URI has no cycling
  mode; walk is for phones, which these are), `to` (name) and `tocoord=lat,lng` (Tencent's own
  coordinates are GCJ-02), no `from`/`fromcoord`: current location on a phone; `referer` (the
  app's name or key, required: settings.MAP_TENCENT_REFERER).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

SRC = "waystation"


@dataclass(frozen=True)
class NavLink:
    app: str  # amap, baidu, tencent
    label: str
    url: str


LABELS = {
    "amap": _("高德地图"),
    "baidu": _("百度地图"),
    "tencent": _("腾讯地图"),
    "here": _("我的位置"),
}


@lru_cache(maxsize=16)
def _labels(language: str | None) -> dict[str, str]:
    # translated once per language: a lazy string costs ~17 µs each time it is made text
    return {key: str(label) for key, label in LABELS.items()}


def navigation_links(
    lon: float, lat: float, name: str, *, origin: tuple[float, float] | None = None
) -> list[NavLink]:
    """Links that plan a route to a station at (lon, lat) in GCJ-02, named `name`; `origin` is
    the person's point in GCJ-02, if known (only Baidu's web URI needs one). Built as strings
    (five stations a query): only the name needs quoting; "," ":" "|" stay as documented."""
    labels = _labels(get_language())
    q = quote(name, safe="")
    to = f"{lat:.6f},{lon:.6f}"
    amap = (
        f"https://uri.amap.com/navigation?to={lon:.6f},{lat:.6f},{q}"
        f"&mode=ride&coordinate=gaode&callnative=1&src={SRC}"
    )
    destination = f"latlng:{to}|name:{q}"
    if origin is not None:
        here = quote(labels["here"], safe="")
        baidu = (
            f"https://api.map.baidu.com/direction?origin=latlng:{origin[1]:.6f},{origin[0]:.6f}"
            f"|name:{here}&destination={destination}&mode=walking&coord_type=gcj02"
            f"&output=html&src=webapp.{SRC}.stations"
        )
    else:
        baidu = (
            f"baidumap://map/direction?destination={destination}&mode=riding"
            f"&coord_type=gcj02&src=webapp.{SRC}.stations"
        )
    referer = quote(settings.MAP_TENCENT_REFERER, safe="")
    tencent = (
        f"https://apis.map.qq.com/uri/v1/routeplan?type=walk&to={q}&tocoord={to}&referer={referer}"
    )
    return [
        NavLink("amap", labels["amap"], amap),
        NavLink("baidu", labels["baidu"], baidu),
        NavLink("tencent", labels["tencent"], tencent),
    ]


def distance_text(metres: float) -> str:
    """A distance as riders read it: 850 米 below a kilometre, 1.2 公里 above (12 公里 from 10)."""
    if round(metres) < 1000:
        return _("%(n)d 米") % {"n": round(metres)}
    km = metres / 1000
    return _("%(n)s 公里") % {"n": f"{km:.1f}" if km < 10 else f"{round(km)}"}

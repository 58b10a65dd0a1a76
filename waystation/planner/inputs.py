"""Layers for an analysis, built from the database and the staff's choices."""

import csv
import io

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.accounts.models import City
from waystation.planning import (
    PlanningError,
    PointLayer,
    candidates_from_hotspots,
    load_lade,
    make_layer,
    synthetic_riders,
)
from waystation.planning.coverage import make_reach, nearest_station
from waystation.stations.models import Station

from . import geography

DEMAND_SOURCES = [
    ("synthetic", gettext_lazy("合成骑手需求（演示用）")),
    ("members", gettext_lazy("本市会员的工作区域（按区撒点）")),
    ("upload", gettext_lazy("上传需求点文件（列：id,lon,lat[,weight]）")),
]
CANDIDATE_SOURCES = [
    ("hotspots", gettext_lazy("未覆盖需求最密集处（六边形网格中心）")),
    ("planned", gettext_lazy("规划中、建设中的驿站")),
    ("upload", gettext_lazy("上传候选站址文件（列：id,lon,lat）")),
]


def city_demand_source(city: City | int) -> str:
    """The demand a one-click task uses: the city's own members where they say they work, when
    the city has any; else the synthetic riders (labelled as such on the result)."""
    from waystation.members.models import Member

    has_members = Member.objects.filter(
        city=city, status="active", work_district__isnull=False
    ).exists()
    return "members" if has_members else "synthetic"


def stations_layer(service: str = "", city: City | int | None = None) -> PointLayer:
    """The open stations (of the city, when given), offering `service` if one is named."""
    qs = Station.objects.filter(status=Station.Status.OPEN)
    if city is not None:
        qs = qs.filter(city=city)
    if service:
        qs = qs.with_service(service)
    rows = list(qs.values_list("code", "lon", "lat"))
    if not rows:
        return make_layer([], [], ids=np.array([], dtype=object), what="驿站", allow_empty=True)
    codes, lons, lats = zip(*rows, strict=True)
    return make_layer(lons, lats, ids=np.array(codes), what="驿站", source="registry")


def planned_layer(city: City | int | None = None) -> PointLayer:
    """The planned and building stations (of the city, when given) as candidate sites."""
    qs = Station.objects.filter(status__in=[Station.Status.PLANNED, Station.Status.BUILDING])
    if city is not None:
        qs = qs.filter(city=city)
    rows = list(qs.values_list("code", "lon", "lat"))
    if not rows:
        raise PlanningError("没有规划中或建设中的驿站可作候选点 (no planned stations)")
    codes, lons, lats = zip(*rows, strict=True)
    return make_layer(lons, lats, ids=np.array(codes), what="候选点", source="planned")


def parse_upload(data: bytes, *, datum: str, what: str) -> list[list]:
    """CSV `id,lon,lat[,weight]` → WGS-84 rows, validated (raises PlanningError)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanningError(f"{what}文件须为 UTF-8 编码的 CSV (must be UTF-8 CSV)") from exc
    reader = csv.DictReader(io.StringIO(text))
    cols = {c.strip().lower() for c in reader.fieldnames or []}
    missing = {"id", "lon", "lat"} - cols
    if missing:
        raise PlanningError(f"{what}文件缺少列：{', '.join(sorted(missing))} (missing columns)")
    ids, lons, lats, weights = [], [], [], []
    for n, row in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            lons.append(float(row["lon"]))
            lats.append(float(row["lat"]))
            weights.append(float(row.get("weight") or 1))
        except ValueError as exc:
            raise PlanningError(f"{what}第 {n} 行的坐标或权重不是数字 (row {n})") from exc
        ids.append(row["id"])
    layer = make_layer(lons, lats, ids=np.array(ids), weight=weights, datum=datum, what=what)
    return [
        [str(i), float(x), float(y), float(w)]
        for i, x, y, w in zip(layer.ids, layer.lon, layer.lat, layer.weight, strict=True)
    ]


def _from_rows(rows: list[list], what: str, source: str) -> PointLayer:
    ids, lons, lats, weights = zip(*rows, strict=True)
    return make_layer(lons, lats, ids=np.array(ids), weight=weights, what=what, source=source)


def members_layer(n: int, seed: int, city: int) -> PointLayer:
    """Demand from where the city's members say they work: points spread inside each of the
    city's districts, as many as that district has active members (scaled to n). Clearly a
    proxy."""
    from django.db.models import Count

    from waystation.members.models import Member

    districts = {d.code: d for d in geography.districts_of(city)}
    counts = dict(
        Member.objects.filter(city_id=city, status="active", work_district_id__in=list(districts))
        .values_list("work_district_id")
        .annotate(c=Count("id"))
        .values_list("work_district_id", "c")
    )
    total = sum(counts.values())
    if not total:
        raise PlanningError("没有在册会员 (no active members)")
    rng = np.random.default_rng(seed)
    lons, lats = [], []
    for code, c in sorted(counts.items()):
        k = max(1, round(n * c / total))
        lon, lat = geography.random_points_in(districts[str(code)], k, rng)
        lons.append(lon)
        lats.append(lat)
    layer = make_layer(np.concatenate(lons), np.concatenate(lats), what="需求", source="members")
    layer.meta["note"] = "按会员工作区域撒点的代理需求 (proxy: members by work district)"
    return layer


def demand_layer(params: dict, uploaded: dict, city: int) -> PointLayer:
    source = params["demand"]
    if source == "synthetic":
        return synthetic_riders(
            int(params.get("demand_n", 20000)),
            seed=int(params.get("seed", 2024)),
            boundaries=geography.boundaries_of(city),
        )
    if source == "members":
        return members_layer(
            int(params.get("demand_n", 20000)), int(params.get("seed", 2024)), city
        )
    if source == "lade":
        return load_lade(params.get("lade_city", "hangzhou"))
    return _from_rows(uploaded["demand"], "需求", "upload")


def _in_district(layer: PointLayer, city: int, code: str) -> PointLayer:
    """The points of `layer` inside the district (for a zone without a polygon of its own, the
    district holding it: the only outline there is)."""
    row = next((d for d in geography.district_rows(city) if d.code == code), None)
    if row is None or not row.counted_in:
        raise PlanningError(_("该区没有区界数据，无法在区内选址"))
    keys = geography.boundaries_of(city).unit_of(layer.lon, layer.lat)
    inside = layer.subset(np.asarray(keys == row.counted_in, dtype=bool))
    if len(inside) == 0:
        raise PlanningError(
            _("%(name)s内没有可选的候选站址（区内需求可能已全部覆盖）") % {"name": row.name}
        )
    return inside


def candidates_layer(
    params: dict,
    uploaded: dict,
    stations: PointLayer,
    demand: PointLayer,
    city: int | None = None,
) -> PointLayer:
    """The candidate sites; a task for one district keeps those inside it."""
    layer = _candidates(params, uploaded, stations, demand, city)
    if params.get("district") and city is not None:
        return _in_district(layer, city, params["district"])
    return layer


def _candidates(
    params: dict, uploaded: dict, stations: PointLayer, demand: PointLayer, city: int | None
) -> PointLayer:
    source = params["candidates"]
    if source == "planned":
        return planned_layer(city)
    if source == "upload":
        return _from_rows(uploaded["candidates"], "候选点", "upload")
    reach = make_reach(
        params["mode"], float(params["minutes"]), float(params["detour"]),
        params.get("speed_kmh"), None,
    )  # fmt: skip
    if len(stations):
        _d, nearest = nearest_station(stations, demand, reach)
        uncovered = demand.subset(nearest < 0)
    else:
        uncovered = demand
    if len(uncovered) == 0:
        raise PlanningError("需求已全部覆盖，无需新增驿站 (all demand is already covered)")
    return candidates_from_hotspots(uncovered, int(params.get("n_candidates", 2000)))

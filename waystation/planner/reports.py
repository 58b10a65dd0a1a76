"""What an analysis shows and downloads: summary rows in words, the per-district table (every
district of the city, 经开区 included), the map's layers with the legend of what it draws,
merged GeoJSON and a workbook. The page and the workbook read the same rows."""

import io
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from waystation.planning import PlanningError
from waystation.planning.coverage import OUTSIDE
from waystation.stations.models import Station

from .geography import DistrictRow, boundaries_of, district_rows
from .models import Analysis

MODE_NAMES = {"walk": gettext_lazy("步行"), "ebike": gettext_lazy("电动自行车")}
TRAVEL_MODELS = {
    "straight_line_x_detour": gettext_lazy("直线距离 × 绕行系数"),
    "network": gettext_lazy("道路网络距离"),
}
METHODS = {
    "lp-bound": gettext_lazy("整数规划"),
    "greedy+swap": gettext_lazy("贪心选点加交换改进"),
}
DEMAND_NAMES = {
    "synthetic": gettext_lazy("合成骑手需求（演示数据，不是真实骑手）"),
    "members": gettext_lazy("本市在册会员的工作区域（按区撒点的近似需求）"),
    "upload": gettext_lazy("上传的需求点文件"),
    "lade": gettext_lazy("公开的外卖取件数据集"),
}


@dataclass(frozen=True)
class Layer:
    """One thing the map draws, and how: the legend lists a layer only when the map shows it."""

    key: str  # the result's layer name, or "boundaries" / "chosen" / "focus"
    label: Any
    color: str
    shape: str  # "area", "dot", "site", "outline"


LAYERS = (
    Layer("boundaries", gettext_lazy("区界"), "#555555", "outline"),
    Layer("focus", gettext_lazy("本次分析的区（粗线）"), "#6a1b9a", "outline"),
    Layer("covered_hexagons", gettext_lazy("已覆盖的需求"), "#2e8b57", "area"),
    Layer("newly_covered_hexagons", gettext_lazy("新站新增覆盖的需求"), "#1f78b4", "area"),
    Layer("uncovered_hexagons", gettext_lazy("未覆盖的需求"), "#e67e22", "area"),
    Layer("stations", gettext_lazy("现有开放驿站"), "#c8102e", "dot"),
    Layer("chosen", gettext_lazy("新选站址（数字为建设顺序）"), "#1f5fbf", "site"),
)


def _amount(x: Any) -> str:
    return f"{float(x or 0):,.0f}"


def _pct(share: Any) -> str:
    return "—" if share is None else f"{100 * float(share):.1f}%"


def focus(a: Analysis, rows: list[DistrictRow]) -> DistrictRow | None:
    """The district a one-click task was run for, if any."""
    code = a.params.get("district")
    return next((d for d in rows if d.code == code), None) if code else None


def summary(a: Analysis) -> list[tuple[str, str]]:
    r = a.result
    if not r:
        return []
    mode = MODE_NAMES.get(r.get("mode"), r.get("mode"))
    model = TRAVEL_MODELS.get(r.get("travel_model"), r.get("travel_model", ""))
    demand = DEMAND_NAMES.get(r.get("demand_source"), r.get("demand_source", ""))
    rows = [
        (
            _("出行方式"),
            _("%(mode)s，每小时 %(speed)s 公里") % {"mode": mode, "speed": r.get("speed_kmh")},
        ),
        (_("时间预算"), _("%(m)s 分钟") % {"m": r.get("minutes")}),
        (
            _("出行距离算法"),
            _("直线距离 × 绕行系数 %(d)s") % {"d": r.get("detour")}
            if r.get("travel_model") == "straight_line_x_detour"
            else str(model),
        ),
        (_("需求来源"), str(demand)),
    ]
    if r.get("note"):
        rows.append((_("说明"), r["note"]))
    if a.kind == Analysis.Kind.COVERAGE:
        rows += [
            (_("驿站数"), str(r.get("n_stations"))),
            (_("需求点数"), str(r.get("n_demand"))),
            (_("全市覆盖率"), _pct(r["covered_share"])),
            (_("覆盖需求量"), f"{_amount(r['covered_weight'])} / {_amount(r['total_weight'])}"),
        ]
    else:
        before, after = r["covered_share_before"], r["covered_share_after"]
        proof = _("已证明是最优方案") if r.get("proven_optimal") else _("未证明是最优方案")
        method = METHODS.get(r.get("method"), r.get("method"))
        rows += [
            (_("新站数"), str(len(r.get("chosen", [])))),
            (_("全市覆盖率（建站前 → 建站后）"), f"{_pct(before)} → {_pct(after)}"),
            (_("新增覆盖需求量"), _amount(r["objective"])),
            (
                _("求解"),
                _("%(method)s，%(proof)s，用时 %(s).1f 秒")
                % {"method": method, "proof": proof, "s": r.get("seconds", 0)},
            ),
        ]
        gap = r.get("mip_gap")
        if gap:
            rows.append((_("与最优的差距上限"), f"{100 * gap:.2f}%"))
    return rows


@dataclass(frozen=True)
class DistrictLine:
    """One line of the per-district table."""

    name: str
    code: str
    stations: int
    total: float | None  # demand weight; None for a zone counted in another district
    covered: str  # coverage share as text ("—" without demand)
    after: str = ""  # selection: the share after the new sites
    note: str = ""
    focus: bool = False


def district_table(a: Analysis, rows: list[DistrictRow] | None = None) -> list[DistrictLine]:
    """Every district of the analysis' city, in order (a zone without a polygon of its own says
    which district its demand is counted in), then demand outside every district if any."""
    if rows is None:
        rows = district_rows(a.city_id)
    found: dict[str, dict] = a.result.get("by_district", {}) or {}
    by_name = {d.get("name", k): d for k, d in found.items()}  # results keyed by name, before
    open_ = Station.objects.filter(city_id=a.city_id, status=Station.Status.OPEN)
    stations = dict(
        open_.values_list("district").annotate(n=Count("id")).values_list("district", "n")
    )
    chosen_focus = a.params.get("district")
    selection = a.kind == Analysis.Kind.SELECTION
    out = []
    for d in rows:
        n = stations.get(d.code, 0)
        if not d.has_polygon:
            note = (
                _("没有单独的区界，需求计入%(name)s") % {"name": d.counted_in_name}
                if d.counted_in
                else _("没有区界数据，无法单独计算")
            )
            out.append(
                DistrictLine(
                    d.name,
                    d.code,
                    n,
                    None,
                    "—",
                    "—" if selection else "",
                    note,
                    d.code == chosen_focus,
                )
            )
            continue
        got = found.get(d.code) or by_name.get(d.name)
        if got is None:
            line = DistrictLine(
                d.name, d.code, n, 0.0, "—", "—" if selection else "", _("没有需求点")
            )
        elif selection:
            line = DistrictLine(
                d.name, d.code, n, got["total_weight"], _pct(got["before"]), _pct(got["after"])
            )
        else:
            line = DistrictLine(d.name, d.code, n, got["total_weight"], _pct(got["covered_share"]))
        out.append(replace(line, focus=d.code == chosen_focus))
    if OUTSIDE in found:
        got = found[OUTSIDE]
        after = _pct(got.get("after")) if selection else ""
        share = got.get("before") if selection else got.get("covered_share")
        out.append(
            DistrictLine(
                _("市外"),
                OUTSIDE,
                0,
                got["total_weight"],
                _pct(share),
                after,
                _("在本市各区之外的需求点"),
            )
        )
    return out


def sites(a: Analysis, rows: list[DistrictRow] | None = None) -> list[dict[str, Any]]:
    """The chosen sites in building order, each with the district it lies in."""
    chosen = a.result.get("chosen_sites") or []
    if not chosen:
        return []
    names = {d.code: d.name for d in (rows if rows is not None else district_rows(a.city_id))}
    try:
        bounds = boundaries_of(a.city_id)
        keys = bounds.unit_of([s["lon"] for s in chosen], [s["lat"] for s in chosen])
    except PlanningError:
        keys = [None] * len(chosen)
    return [
        {**s, "rank": i, "district": names.get(str(k), "—") if k else _("市外")}
        for i, (s, k) in enumerate(zip(chosen, keys, strict=True), start=1)
    ]


def legend(a: Analysis, boundaries: dict, has_focus: bool) -> list[Layer]:
    """The layers the map draws for this analysis, in drawing order: nothing it does not show."""
    layers = a.result.get("layers") or {}
    shown = {
        "boundaries": bool(boundaries.get("features")),
        "focus": has_focus and bool(boundaries.get("features")),
        "chosen": bool(a.result.get("chosen_sites")),
    }
    for key, layer in layers.items():
        shown[key] = bool(layer.get("features"))
    return [layer for layer in LAYERS if shown.get(layer.key)]


def merged_geojson(a: Analysis) -> dict:
    features = []
    for name, layer in (a.result.get("layers") or {}).items():
        for f in layer.get("features", []):
            features.append({**f, "properties": {**f.get("properties", {}), "layer": name}})
    return {"type": "FeatureCollection", "features": features}


def xlsx(a: Analysis) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("概要")
    for k, v in summary(a):
        ws.append([k, v])
    ws2 = wb.create_sheet(_("分区"))
    selection = a.kind == Analysis.Kind.SELECTION
    if selection:
        ws2.append(
            [_("区"), _("开放驿站"), _("需求量"), _("建站前覆盖率"), _("建站后覆盖率"), _("说明")]
        )
    else:
        ws2.append([_("区"), _("开放驿站"), _("需求量"), _("覆盖率"), _("说明")])
    for line in district_table(a):
        row: list[Any] = [line.name, line.stations, line.total, line.covered]
        if selection:
            row.append(line.after)
        ws2.append([*row, line.note])
    if selection:
        ws3 = wb.create_sheet(_("新站"))
        ws3.append(
            [_("顺序"), _("区"), _("候选点"), _("经度 (WGS-84)"), _("纬度 (WGS-84)"), _("新增覆盖")]
        )
        for s in sites(a):
            ws3.append([s["rank"], s["district"], str(s.get("id")), s["lon"], s["lat"], s["gain"]])
    else:
        ws3 = wb.create_sheet(_("驿站负荷"))
        ws3.append([_("驿站"), _("最近需求点数"), _("服务需求量")])
        for s in a.result.get("station_load", []):
            ws3.append([str(s["id"]), s["n_demand"], s["load_weight"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

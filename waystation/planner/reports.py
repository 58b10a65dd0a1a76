"""What an analysis shows and downloads: summary rows, merged GeoJSON, a workbook."""

import io

from openpyxl import Workbook

from .models import Analysis

MODE_NAMES = {"walk": "步行", "ebike": "电动自行车"}


def summary(a: Analysis) -> list[tuple[str, str]]:
    r = a.result
    if not r:
        return []
    rows = [
        ("出行方式", f"{MODE_NAMES.get(r.get('mode'), r.get('mode'))}，{r.get('speed_kmh')} km/h"),
        ("时间预算", f"{r.get('minutes')} 分钟"),
        ("出行模型", f"{r.get('travel_model', '')}（绕行系数 {r.get('detour')}）"),
        ("需求", r.get("demand_note") or a.params.get("demand", "")),
    ]
    if r.get("note"):
        rows.append(("说明", r["note"]))
    if a.kind == Analysis.Kind.COVERAGE:
        rows += [
            ("驿站数", str(r.get("n_stations"))),
            ("需求点数", str(r.get("n_demand"))),
            ("覆盖率", f"{100 * r['covered_share']:.1f}%"),
            ("覆盖需求量", f"{r['covered_weight']:.0f} / {r['total_weight']:.0f}"),
        ]
    else:
        gap = r.get("mip_gap")
        gap_text = "—" if gap is None else f"{gap:.4g}"
        before, after = r["covered_share_before"], r["covered_share_after"]
        proof = "已证明最优" if r.get("proven_optimal") else "未证明最优"
        rows += [
            ("新站数", str(len(r.get("chosen", [])))),
            ("覆盖率（之前 → 之后）", f"{100 * before:.1f}% → {100 * after:.1f}%"),
            ("新增覆盖需求量", f"{r['objective']:.0f}"),
            (
                "求解",
                f"{r.get('method')}，{proof}，MIP gap {gap_text}，{r.get('seconds', 0):.1f} 秒",
            ),
        ]
    return rows


def by_district_rows(a: Analysis) -> list[list]:
    r = a.result
    out = []
    if a.kind == Analysis.Kind.COVERAGE:
        for key, d in r.get("by_district", {}).items():
            name = d.get("name", key)  # results before districts were rows keyed by name
            out.append([name, d["total_weight"], d["covered_weight"], d["covered_share"]])
    else:
        for key, d in r.get("by_district", {}).items():
            out.append([d.get("name", key), d["total_weight"], d["before"], d["after"]])
    return out


def merged_geojson(a: Analysis) -> dict:
    features = []
    for name, layer in (a.result.get("layers") or {}).items():
        for f in layer.get("features", []):
            features.append({**f, "properties": {**f.get("properties", {}), "layer": name}})
    return {"type": "FeatureCollection", "features": features}


def xlsx(a: Analysis) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    for k, v in summary(a):
        ws.append([k, v])
    ws2 = wb.create_sheet("分区")
    if a.kind == Analysis.Kind.COVERAGE:
        ws2.append(["区", "需求总量", "覆盖量", "覆盖率"])
    else:
        ws2.append(["区", "需求总量", "之前覆盖率", "之后覆盖率"])
    for row in by_district_rows(a):
        ws2.append(row)
    if a.kind == Analysis.Kind.SELECTION:
        ws3 = wb.create_sheet("新站")
        ws3.append(["顺序", "候选点", "经度 (WGS-84)", "纬度 (WGS-84)", "新增覆盖"])
        for i, s in enumerate(a.result.get("chosen_sites", []), start=1):
            ws3.append([i, str(s.get("id")), s.get("lon"), s.get("lat"), s.get("gain")])
    else:
        ws3 = wb.create_sheet("驿站负荷")
        ws3.append(["驿站", "最近需求点数", "服务需求量"])
        for s in a.result.get("station_load", []):
            ws3.append([str(s["id"]), s["n_demand"], s["load_weight"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

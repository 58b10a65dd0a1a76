"""The background job that runs an analysis and stores its result."""

from waystation.jobs.models import Job
from waystation.jobs.runner import Progress, handler
from waystation.planning import PlanningError, run_coverage, run_selection
from waystation.planning.coverage import points_geojson

from . import geography, inputs
from .models import Analysis

STEPS = 1000


@handler("planner.analysis")
def analysis_run(job: Job, progress: Progress) -> dict:
    analysis = Analysis.objects.get(pk=job.params["analysis"])
    p = analysis.params

    def report(fraction: float, message: str) -> None:
        progress(int(fraction * STEPS), STEPS, message)

    report(0.0, "准备图层 (building layers)")
    try:
        stations = inputs.stations_layer(p.get("service", ""), analysis.city_id)
        demand = inputs.demand_layer(p, analysis.uploaded, analysis.city_id)
        common = {
            "mode": p["mode"],
            "minutes": float(p["minutes"]),
            "detour": float(p["detour"]),
            "speed_kmh": p.get("speed_kmh"),
            "progress": report,
            "boundaries": geography.boundaries_of(analysis.city_id),
        }
        if analysis.kind == Analysis.Kind.COVERAGE:
            result = run_coverage(stations, demand, **common)
        else:
            candidates = inputs.candidates_layer(
                p, analysis.uploaded, stations, demand, analysis.city_id
            )
            k = min(int(p["k"]), len(candidates))
            result = run_selection(
                stations, demand, candidates, k, time_limit=float(p.get("time_limit", 60)), **common
            )
            result.setdefault("layers", {})["stations"] = points_geojson(stations)
            if k < int(p["k"]):
                result["note"] = f"候选点只有 {k} 个，新站数已从 {p['k']} 调整为 {k}"
    except PlanningError as exc:
        raise RuntimeError(str(exc)) from exc
    result["demand_note"] = demand.meta.get("note", "")
    analysis.result = result
    analysis.save(update_fields=["result"])
    return {"analysis": analysis.pk}

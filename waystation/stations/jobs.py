"""Background work of the stations app, run by the jobs worker."""

from waystation.jobs.models import Job
from waystation.jobs.runner import Progress, handler

from .registry import JOB_KIND, registry_apply


@handler(JOB_KIND)
def registry_import(job: Job, progress: Progress) -> dict:
    """Write the rows an import checked; a resumed job skips what it already wrote."""
    rows = job.params["rows"]
    progress(0, len(rows), "正在写入驿站登记")
    counts = registry_apply(
        rows,
        actor=job.created_by,  # type: ignore[arg-type]  # None (account deleted): rows refused
        progress=lambda done: progress(done, message=f"已写入 {done}/{len(rows)} 行"),
    )
    progress(
        len(rows),
        message=f"已完成：新建 {counts['created']}，更新 {counts['updated']}，"
        f"无变化 {counts['unchanged']}",
    )
    return counts

"""The commit job: the staged rows of an import written as members, in batches, resumable.

Each batch is written in one transaction together with the import's resume point
(`committed_through`), under the import's row lock, so a crashed commit resumes after its last
whole batch and two workers never both write one batch. Members are unique by the keyed hash of
their ID number (INSERT … ON CONFLICT DO NOTHING, core/bulk.py), so a replayed batch or a
re-imported file creates nothing new; member numbers may have gaps, never duplicates.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from waystation.accounts.models import OrgUnit
from waystation.core.bulk import insert_ignoring_conflicts
from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.privacy.audit import AuditAction, audit_record

from ..models import Member, RosterImport
from ..services import member_fields, member_numbers
from .files import staged_path, staged_rows

JOB_KIND = "members.roster_import"
BATCH_SIZE = 2000


def _prepare(staged: list[list]) -> list[dict]:
    """Model fields of staged rows: personal data encrypted, hashed and masked (the join form's
    `member_fields`)."""
    return [
        member_fields(name=name, id_number=id_number, phone=phone)
        | {
            "industry_id": industry,
            "work_district_id": district,
            "joined_on": joined_on,
            "platform_ids": platform_ids,
        }
        for name, id_number, phone, industry, district, joined_on, platform_ids in staged
    ]


def _commit_batch(imp: RosterImport, start: int, rows: list[dict], unions: dict[str, int]) -> int:
    """Write one batch of staged rows and advance the resume point in the same transaction.
    Returns the new resume point."""
    end = start + len(rows)
    now = timezone.now()
    tz = timezone.get_default_timezone()  # join dates are local (Asia/Shanghai) midnights
    # Numbers are reserved outside the batch transaction so that joins are not held up by it; a
    # rolled-back batch, or a person who joined meanwhile, leaves a gap, never a duplicate.
    numbers = member_numbers(len(rows))
    members = [
        r
        | {
            "member_number": number,
            "city_id": imp.city_id,  # the import unit's: its districts are what rows matched
            "union_id": unions[r["industry_id"]],
            "channel": Member.Channel.IMPORT,
            "import_batch_id": imp.pk,
            "joined_at": datetime.fromisoformat(r["joined_on"]).replace(tzinfo=tz)
            if r["joined_on"]
            else now,
        }
        for r, number in zip(rows, numbers, strict=True)
    ]
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=imp.pk)
        if locked.committed_through != start:  # another worker already wrote this batch
            imp.created_count = locked.created_count
            imp.committed_through = locked.committed_through
            return locked.committed_through
        inserted = insert_ignoring_conflicts(Member, members, returning=("id_number_hash", "id"))
        ids = dict(inserted.returned)
        insert_ignoring_conflicts(
            Member.platforms.through,
            [
                {"member_id": ids[r["id_number_hash"]], "platform_id": pid}
                for r in rows
                if r["id_number_hash"] in ids
                for pid in r["platform_ids"]
            ],
        )
        locked.created_count += len(ids)
        locked.committed_through = end
        locked.save(update_fields=["created_count", "committed_through"])
    imp.created_count = locked.created_count
    imp.committed_through = end
    return end


@runner.handler(JOB_KIND)
def roster_commit_job(job: Job, progress: runner.Progress) -> dict:
    """Commit an import in batches, from its resume point to the end. A second worker running
    the same job at once skips the batches the first has written and does not finish (count,
    audit) an import twice."""
    imp = RosterImport.objects.select_related("unit").get(pk=job.params["import_id"])
    if imp.status == RosterImport.Status.DONE:
        return {"created": imp.created_count, "existing": imp.existing_count}
    staged = staged_rows(imp)
    total = len(staged)
    unions = dict(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.INDUSTRY, city_id=imp.city_id).values_list(
            "industry__code", "id"
        )
    )
    done = imp.committed_through
    progress(done, total, f"从第 {done:,} 人继续导入" if done else "开始导入")
    while done < total:
        batch = _prepare(staged[done : done + BATCH_SIZE])
        done = _commit_batch(imp, done, batch, unions)
        progress(done, total, f"已处理 {done:,} / {total:,} 人，新增 {imp.created_count:,} 人")
    with transaction.atomic():
        imp = (
            RosterImport.objects.select_for_update(of=("self",))
            .select_related("unit")
            .get(pk=imp.pk)
        )
        if imp.status == RosterImport.Status.DONE:  # another worker has just finished it
            return {"created": imp.created_count, "existing": imp.existing_count}
        imp.status = RosterImport.Status.DONE
        imp.existing_count = imp.valid_rows - imp.created_count
        imp.save(update_fields=["status", "existing_count"])
        audit_record(
            action=AuditAction.MEMBER_IMPORT,
            actor=job.created_by,
            obj=imp,
            detail={
                "filename": imp.filename,
                "unit": imp.unit.code,
                "created": imp.created_count,
                "existing": imp.existing_count,
                "errors": imp.error_rows,
            },
        )
    staged_path(imp).unlink(missing_ok=True)
    progress(
        total,
        total,
        f"导入完成：新增 {imp.created_count:,} 人，已是会员 {imp.existing_count:,} 人，"
        f"错误 {imp.error_rows:,} 行",
    )
    return {"created": imp.created_count, "existing": imp.existing_count}

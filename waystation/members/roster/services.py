"""Roster import services: accept an upload and queue its validation; the validation job, which
reads the workbook once, deletes it and stages the clean values of the rows to be written; the
download of the error file, audited; the start (and restart) of the commit job (commit.py); and
the purge of uploads left alone.

An upload is checked only as far as is cheap in the request (a workbook within the size limits
of core/xlsx.py) and kept encrypted under the personal-data keys until the validation job has
read it. From then on only the clean values of the rows that will become members are kept,
encrypted, until the commit is done, so what is written is exactly what the preview showed.
"""

import hashlib
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from waystation.accounts.access import NotInScope
from waystation.accounts.models import OrgUnit
from waystation.core.bulk import pg_cursor
from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.privacy import crypto
from waystation.privacy.audit import AuditAction, audit_record

from ..access import can_reveal_personal_data
from ..models import Member, RosterImport
from .commit import JOB_KIND
from .files import (
    error_file_bytes,
    error_rows_bytes,
    errors_path,
    masked,
    stage_bytes,
    staged_path,
    upload_path,
)
from .reading import text
from .selectors import importable_units, imports_visible_to
from .validation import EXTENSIONS, RosterFileError, check_file, parse

VALIDATE_KIND = "members.roster_validate"
PREVIEW_ERRORS = 200
STAGING_DAYS = 7
_LOOKUP_CHUNK = 2000  # ID-number hashes per query where there is no array parameter (SQLite)


def roster_upload(*, user: User, unit: OrgUnit, filename: str, data: bytes) -> RosterImport:
    """Accept an uploaded roster and queue its validation. A file that is plainly not an
    importable workbook raises ValidationError and writes nothing. The file is kept, encrypted,
    only until the validation job has read it (`roster_validate_job`)."""
    if not importable_units(user).filter(pk=unit.pk).exists():
        raise NotInScope
    if not filename.lower().endswith(EXTENSIONS):
        raise RosterFileError(
            gettext("请上传 Excel 或 WPS 表格（.xlsx、.xls、.et）或 CSV 文件，可先下载模板填写")
        )
    check_file(data)
    assert unit.city_id is not None  # importable units are a city's
    imp = RosterImport(
        created_by=user,
        unit=unit,
        city_id=unit.city_id,
        filename=Path(filename).name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        stored_name=f"{uuid.uuid4().hex}.rows",
        status=RosterImport.Status.VALIDATING,
    )
    path = upload_path(imp)
    path.write_bytes(crypto.encrypt_bytes(data))
    try:
        with transaction.atomic():
            imp.save()
            imp.job = runner.job_enqueue(
                kind=VALIDATE_KIND, params={"import_id": imp.pk}, user=user
            )
            imp.save(update_fields=["job"])
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return imp


def _existing_hashes(hashes: list[str]) -> set[str]:
    if connection.vendor == "postgresql":  # one array parameter rather than a list of 100,000
        with pg_cursor() as cur:
            cur.execute(
                "SELECT id_number_hash FROM members_member WHERE id_number_hash = ANY(%s)", [hashes]
            )
            return {h for (h,) in cur}
    found: set[str] = set()
    for i in range(0, len(hashes), _LOOKUP_CHUNK):
        chunk = hashes[i : i + _LOOKUP_CHUNK]
        found.update(
            Member.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", flat=True)
        )
    return found


def _validate(imp: RosterImport, data: bytes, progress: runner.Progress) -> None:
    """Validate the rows of an upload; stage the clean values of its valid new rows (encrypted)
    and write the error file for the preview."""
    parsed = parse(data, unit=imp.unit, progress=progress)
    progress(parsed.total, parsed.total, gettext("正在比对已有会员"))
    valid = [r for r in parsed.rows if r.ok]
    existing = _existing_hashes([r.id_hash for r in valid])
    pending = [r for r in valid if r.id_hash not in existing]
    imp.total_rows = parsed.total
    imp.valid_rows = parsed.valid
    imp.error_rows = parsed.errors
    imp.pending_rows = len(pending)
    imp.existing_count = len(existing)  # already members: the commit skips them
    imp.errors_preview = [
        {
            "line": r.line,
            "name": text(r.raw["name"])[:40],
            "id_number": masked("id_number", r.raw["id_number"]),
            "errors": r.errors,
        }
        for r in parsed.rows
        if not r.ok
    ][:PREVIEW_ERRORS]
    staged_path(imp).write_bytes(stage_bytes(pending))
    if parsed.errors:
        errors_path(imp).write_bytes(error_rows_bytes(parsed.rows))


# No actor: the job validates what roster_upload accepted from a checked uploader.
@runner.handler(VALIDATE_KIND)
def roster_validate_job(job: Job, progress: runner.Progress) -> dict:
    """Read an upload (in a child process of bounded memory), delete it, validate its rows. A
    file that cannot be imported at all marks the import failed with the reason, and the job
    fails with it."""
    imp = RosterImport.objects.select_related("unit").get(pk=job.params["import_id"])
    if imp.status != RosterImport.Status.VALIDATING:
        return {"status": imp.status}
    path = upload_path(imp)
    progress(0, None, gettext("正在读取文件"))
    try:
        try:
            data = crypto.decrypt_bytes(path.read_bytes())
        except FileNotFoundError:
            raise RosterFileError(gettext("上传的文件已不在服务器上，请重新上传")) from None
        finally:
            path.unlink(missing_ok=True)  # read once: the workbook is not kept
        _validate(imp, data, progress)
    except Exception as exc:
        file_error = exc.messages[0] if isinstance(exc, RosterFileError) else ""
        RosterImport.objects.filter(pk=imp.pk).update(
            status=RosterImport.Status.FAILED,
            error=(file_error or gettext("校验时出错，请重新上传"))[:500],
        )
        if file_error:
            raise RuntimeError(file_error) from exc  # the job fails with the message for staff
        raise
    imp.status = RosterImport.Status.VALIDATED
    imp.save(
        update_fields=[
            "status",
            "total_rows",
            "valid_rows",
            "error_rows",
            "pending_rows",
            "existing_count",
            "errors_preview",
        ]
    )
    progress(
        imp.total_rows,
        imp.total_rows,
        gettext("校验完成：有效 %(valid)s 行，错误 %(errors)s 行")
        % {"valid": f"{imp.valid_rows:,}", "errors": f"{imp.error_rows:,}"},
    )
    return {"valid": imp.valid_rows, "errors": imp.error_rows}


def roster_errors_download(*, imp: RosterImport, actor: User) -> bytes | None:
    """The import's error file (its refused rows, with the reasons), to be corrected and
    uploaded again: ID numbers and phones in full for staff who may see personal data (the
    import is in their scope: the caller's access check), masked otherwise; audited, saying
    which. None when it has no error rows or they are gone."""
    path = errors_path(imp)
    if not imp.error_rows or not path.exists():
        return None
    full = can_reveal_personal_data(actor)
    data = error_file_bytes(path.read_bytes(), full=full)
    audit_record(
        action=AuditAction.MEMBER_IMPORT_ERRORS,
        actor=actor,
        obj=imp,
        detail={"filename": imp.filename, "rows": imp.error_rows, "full": full},
    )
    return data


@transaction.atomic
def roster_commit_start(*, imp: RosterImport, user: User) -> RosterImport:
    """Start the commit job, or start it again after a failure (it resumes where it stopped):
    staff who see the import (its unit's and those above it)."""
    if not imports_visible_to(user).filter(pk=imp.pk).exists():
        raise NotInScope
    imp = RosterImport.objects.select_for_update().get(pk=imp.pk)
    if imp.status == RosterImport.Status.VALIDATING:
        raise ValidationError(gettext("文件还在校验中，请在校验完成后再导入"))
    if imp.status == RosterImport.Status.FAILED:
        raise ValidationError(gettext("这个文件无法导入，请按提示修改后重新上传"))
    running = imp.job is not None and imp.job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
    if imp.status == RosterImport.Status.DONE or running:
        return imp
    if imp.status == RosterImport.Status.EXPIRED:
        raise ValidationError("这次上传已过期，待导入的数据已清除，请重新上传")
    if imp.valid_rows == 0:
        raise ValidationError("没有可导入的有效行，请修改后重新上传")
    resume = imp.status == RosterImport.Status.COMMITTING
    imp.status = RosterImport.Status.COMMITTING
    imp.job = runner.job_enqueue(
        kind=JOB_KIND, params={"import_id": imp.pk}, user=user, total=imp.pending_rows
    )
    imp.save(update_fields=["status", "job"])
    audit_record(
        action=AuditAction.MEMBER_IMPORT_RESUME if resume else AuditAction.MEMBER_IMPORT_START,
        actor=user,
        obj=imp,
        detail={"filename": imp.filename, "rows": imp.pending_rows, "unit": imp.unit.code},
    )
    return imp


# No actor: the nightly purge_roster_staging command, for every unit (personal data kept briefly).
def roster_purge_stale(*, days: int = STAGING_DAYS) -> int:
    """Uploads never validated, validated, or stopped mid-commit, left alone for `days`: delete
    their upload or staged rows — personal data kept only for the validation and the commit —
    and mark them expired; and the refused rows of every import that old. Returns how many
    imports expired."""
    cutoff = timezone.now() - timedelta(days=days)
    S = RosterImport.Status
    stale = RosterImport.objects.filter(
        status__in=[S.VALIDATING, S.VALIDATED, S.COMMITTING],
        created_at__lt=cutoff,
    ).exclude(job__status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    n = 0
    for imp in stale:
        with transaction.atomic():
            imp.status = RosterImport.Status.EXPIRED
            imp.save(update_fields=["status"])
            audit_record(action=AuditAction.MEMBER_IMPORT_EXPIRE, obj=imp, actor_label="system",
                         detail={"filename": imp.filename, "days": days})  # fmt: skip
            for path in (staged_path(imp), upload_path(imp)):
                transaction.on_commit(partial(path.unlink, missing_ok=True))
        n += 1
    # The refused rows (personal data in full, encrypted) are kept as long as staged rows are,
    # whatever became of the import: long enough to correct them and upload again.
    for imp in RosterImport.objects.filter(created_at__lt=cutoff, error_rows__gt=0).only(
        "stored_name"
    ):
        errors_path(imp).unlink(missing_ok=True)
    return n

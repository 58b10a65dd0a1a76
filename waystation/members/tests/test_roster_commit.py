"""Roster import: the commit job — end to end, idempotent re-import, crash and resume."""

import io
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.members import roster
from waystation.members.demo import roster_sample, roster_xlsx
from waystation.members.models import Member, RosterImport
from waystation.members.roster import commit as roster_commit
from waystation.privacy.models import AuditLog


@pytest.fixture
def alice(people, as_user):
    return as_user(people.alice)


def upload(client, rows, unit) -> RosterImport:
    # rows, or a workbook's bytes (the same file twice must be the same bytes: openpyxl stamps
    # the time it wrote a workbook into the file)
    f = io.BytesIO(rows if isinstance(rows, bytes) else roster_xlsx(rows))
    f.name = "roster.xlsx"
    r = client.post("/staff/imports/", {"unit": unit.pk, "file": f})
    assert r.status_code == 302, r.content.decode()[:2000]
    runner.run_until_empty()  # the validation job
    imp = RosterImport.objects.get(pk=r.url.rstrip("/").rsplit("/", 1)[-1])
    assert imp.status == RosterImport.Status.VALIDATED, imp.error
    return imp


def commit(client, imp) -> RosterImport:
    r = client.post(f"/staff/imports/{imp.pk}/commit/")
    assert r.status_code == 302
    runner.run_until_empty()
    imp.refresh_from_db()
    return imp


def test_ten_thousand_rows_end_to_end(alice, orgs):
    rows = roster_sample(10_000, seed=10)
    rows[17][2] = "12345"  # one bad phone
    imp = upload(alice, rows, orgs["tianning"])
    assert (imp.total_rows, imp.valid_rows, imp.error_rows) == (10_000, 9_999, 1)
    # the workbook itself is not kept: only the validated rows, personal data encrypted
    kept = sorted(p.name for p in roster.staged_path(imp).parent.iterdir())
    assert kept == sorted([roster.staged_path(imp).name, roster.errors_path(imp).name])
    assert rows[0][1] not in roster.staged_path(imp).read_text()
    assert imp.errors_preview[0]["line"] == 19

    imp = commit(alice, imp)
    assert imp.status == RosterImport.Status.DONE
    assert (imp.created_count, imp.existing_count, imp.committed_through) == (9_999, 0, 9_999)
    assert imp.job.status == Job.Status.DONE and imp.job.percent == 100
    members = Member.objects.filter(import_batch=imp)
    assert members.count() == 9_999
    assert members.filter(channel="import", work_district="tianning").count() == 9_999
    assert members.values("member_number").distinct().count() == 9_999
    m = members.get(name=rows[0][0], id_number_masked__endswith=rows[0][1][-4:])
    assert (m.id_number, m.phone) == (rows[0][1], rows[0][2])
    assert m.union.industry == m.industry and m.platforms.count() == 1
    assert timezone.localtime(m.joined_at).date().isoformat() == rows[0][6]
    assert AuditLog.objects.filter(action="member.import", object_id=str(imp.pk)).exists()
    assert not roster.staged_path(imp).exists()  # nothing waits once committed
    page = alice.get(f"/staff/imports/{imp.pk}/").content.decode()
    assert 'id="created">9999<' in page


def test_the_commit_job_records_no_client_address(alice, orgs):
    from waystation.core.net import client_ip_as

    imp = upload(alice, roster_sample(3, seed=5), orgs["tianning"])
    alice.post(f"/staff/imports/{imp.pk}/commit/", REMOTE_ADDR="203.0.113.9")
    assert AuditLog.objects.get(action="member.import_start").ip == "203.0.113.9"
    with client_ip_as("203.0.113.9"):  # as when JOBS_EAGER runs it at the end of that request
        runner.run_until_empty()
    assert AuditLog.objects.get(action="member.import").ip is None


def test_reimporting_the_same_file_creates_nothing_new(alice, orgs):
    rows = roster_xlsx(roster_sample(300, seed=3))
    first = commit(alice, upload(alice, rows, orgs["tianning"]))
    assert first.created_count == 300
    second = upload(alice, rows, orgs["tianning"])
    assert second.existing_count == 300
    assert "同一文件已于" in alice.get(f"/staff/imports/{second.pk}/").content.decode()
    second = commit(alice, second)
    assert (second.status, second.created_count, second.existing_count) == ("done", 0, 300)
    assert Member.objects.count() == 300


def test_committing_twice_runs_one_job(alice, orgs):
    imp = upload(alice, roster_sample(10, seed=4), orgs["tianning"])
    alice.post(f"/staff/imports/{imp.pk}/commit/")
    alice.post(f"/staff/imports/{imp.pk}/commit/")
    assert Job.objects.filter(kind=roster.JOB_KIND).count() == 1
    runner.run_until_empty()
    assert Member.objects.count() == 10


class Crash(Exception):
    pass


@contextmanager
def worker_dies(monkeypatch, *, after_batches: int):
    """The worker dies right after its n-th batch has committed: the test wraps `_commit_batch`;
    the code under test has no hook for it."""
    real = roster_commit._commit_batch
    written = 0

    def commit_then_die(*args, **kwargs):
        nonlocal written
        done = real(*args, **kwargs)
        written += 1
        if written == after_batches:
            raise Crash("worker died")
        return done

    monkeypatch.setattr(roster_commit, "_commit_batch", commit_then_die)
    try:
        yield
    finally:
        monkeypatch.setattr(roster_commit, "_commit_batch", real)


def assert_no_duplicates():
    dupes = Member.objects.values("id_number_hash").annotate(n=Count("id")).filter(n__gt=1)
    assert not dupes.exists()


def test_crash_mid_import_then_resume_completes_without_duplicates(alice, orgs, monkeypatch):
    monkeypatch.setattr(roster_commit, "BATCH_SIZE", 100)
    rows = roster_sample(450, seed=5)
    rows[250][1] = "bad"
    imp = upload(alice, rows, orgs["tianning"])
    with worker_dies(monkeypatch, after_batches=2):
        imp = commit(alice, imp)
    assert imp.job.status == Job.Status.FAILED and "worker died" in imp.job.error
    assert (imp.status, imp.committed_through, imp.created_count) == ("committing", 200, 200)
    assert Member.objects.count() == 200
    page = alice.get(f"/staff/imports/{imp.pk}/").content.decode()
    assert "继续导入" in page and "已写入 200 / 449 人" in page

    imp = commit(alice, imp)
    assert (imp.status, imp.committed_through, imp.created_count) == ("done", 449, 449)
    assert Member.objects.count() == 449
    assert_no_duplicates()
    assert AuditLog.objects.filter(action="member.import_resume", object_id=str(imp.pk)).exists()


def test_a_batch_that_fails_midway_leaves_neither_its_members_nor_its_resume_point(
    alice, orgs, monkeypatch
):
    monkeypatch.setattr(roster_commit, "BATCH_SIZE", 100)
    imp = upload(alice, roster_sample(250, seed=7), orgs["tianning"])
    real = roster_commit.insert_ignoring_conflicts
    through = Member.platforms.through
    calls = []

    def members_written_then_platforms_fail(model, rows, **kwargs):
        calls.append(model)
        if calls.count(through) == 3:  # the third batch: its members are in, its platforms fail
            raise Crash("database went away")
        return real(model, rows, **kwargs)

    monkeypatch.setattr(
        roster_commit, "insert_ignoring_conflicts", members_written_then_platforms_fail
    )
    imp = commit(alice, imp)
    assert calls == [Member, through] * 3
    assert imp.job.status == Job.Status.FAILED and "database went away" in imp.job.error
    assert (imp.status, imp.committed_through, imp.created_count) == ("committing", 200, 200)
    assert Member.objects.count() == 200 and through.objects.count() == 200

    monkeypatch.setattr(roster_commit, "insert_ignoring_conflicts", real)
    imp = commit(alice, imp)
    assert (imp.status, imp.committed_through, imp.created_count) == ("done", 250, 250)
    assert Member.objects.count() == through.objects.count() == 250
    assert_no_duplicates()


def test_a_worker_that_died_is_picked_up_by_stale_heartbeat(alice, orgs, monkeypatch):
    monkeypatch.setattr(roster_commit, "BATCH_SIZE", 50)
    imp = upload(alice, roster_sample(180, seed=6), orgs["tianning"])
    with worker_dies(monkeypatch, after_batches=1):
        imp = commit(alice, imp)
    # as if the process had been killed: the job still says running, its heartbeat is old
    Job.objects.filter(pk=imp.job_id).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    assert runner.run_until_empty() == 1
    imp.refresh_from_db()
    assert (imp.status, imp.created_count) == ("done", 180)
    assert Member.objects.count() == 180


def test_a_batch_replayed_from_an_old_resume_point_writes_nothing_twice(alice, orgs, monkeypatch):
    """Even if the resume point were lost, the ID-number hash keeps the commit idempotent."""
    monkeypatch.setattr(roster_commit, "BATCH_SIZE", 40)
    imp = upload(alice, roster_sample(100, seed=8), orgs["tianning"])
    kept = roster.staged_path(imp).read_bytes()
    imp = commit(alice, imp)
    roster.staged_path(imp).write_bytes(kept)
    RosterImport.objects.filter(pk=imp.pk).update(
        status=RosterImport.Status.COMMITTING, committed_through=0, created_count=0
    )
    Job.objects.filter(pk=imp.job_id).update(status=Job.Status.FAILED)
    imp = commit(alice, imp)
    assert (imp.status, imp.created_count, imp.existing_count) == ("done", 0, 100)
    assert Member.objects.count() == Member.objects.filter(import_batch=imp).count() == 100
    assert_no_duplicates()


def test_a_file_with_only_errors_cannot_be_committed(alice, orgs):
    imp = upload(alice, [["A1", "bad", "1", "x", "", "天宁区"]], orgs["tianning"])
    r = alice.post(f"/staff/imports/{imp.pk}/commit/", follow=True)
    assert "没有可导入的有效行" in r.content.decode()
    assert not Job.objects.filter(kind=roster.JOB_KIND).exists()


def test_uploads_left_uncommitted_expire_and_their_staged_rows_are_deleted(
    alice, orgs, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    old = upload(alice, roster_sample(3, seed=41), orgs["tianning"])
    fresh = upload(alice, roster_sample(3, seed=42), orgs["tianning"])
    RosterImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert roster.staged_path(old).exists()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_roster_staging", stdout=out)
    assert out.getvalue().startswith("1 roster upload(s) expired")
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == "expired" and not roster.staged_path(old).exists()
    assert fresh.status == "validated" and roster.staged_path(fresh).exists()
    assert AuditLog.objects.filter(action="member.import_expire", object_id=str(old.pk)).exists()
    # an expired upload can no longer be committed: nothing is queued, nothing written
    alice.post(f"/staff/imports/{old.pk}/commit/")
    old.refresh_from_db()
    assert old.job.kind == roster.VALIDATE_KIND and Member.objects.count() == 0

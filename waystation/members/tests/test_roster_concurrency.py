"""Roster commit under concurrency, on PostgreSQL: the import's row lock decides who writes.

Two requests to commit one import at once queue one job; two workers running one commit job at
once (a worker thought dead that is in fact still running) write each member once, with the
right counts. The test stops the first caller inside the locked section and lets it go only once
PostgreSQL shows the second caller waiting for the first one's lock — or, were the lock gone,
once the second has reached the same point — so each test fails if its lock is removed."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.members.demo import roster_sample, roster_xlsx
from waystation.members.models import Member, RosterImport
from waystation.members.roster import commit as roster_commit
from waystation.members.roster import roster_commit_job, roster_commit_start, roster_upload
from waystation.privacy.models import AuditLog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Caller(threading.Thread):
    """Runs `fn` in a thread of its own, on a database connection of its own."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.fn = fn
        self.pid: int | None = None  # its PostgreSQL backend
        self.connected = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                self.pid = cur.fetchone()[0]
            self.connected.set()
            self.result = self.fn()
        except BaseException as exc:
            self.error = exc
        finally:
            self.connected.set()
            connection.close()


class Gate:
    """Stops the first thread that calls `owner.name` just before the real call, until opened;
    the calls of other threads go through and are noted."""

    def __init__(self, monkeypatch, owner: Any, name: str) -> None:
        self.real = getattr(owner, name)
        self.first: int | None = None
        self.first_inside = threading.Event()
        self.second_inside = threading.Event()
        self.opened = threading.Event()
        self._lock = threading.Lock()
        monkeypatch.setattr(owner, name, self._call)

    def _call(self, *args, **kwargs):
        with self._lock:
            if self.first is None:
                self.first = threading.get_ident()
        if threading.get_ident() == self.first:
            self.first_inside.set()
            assert self.opened.wait(timeout=30), "the gate was never opened"
        else:
            self.second_inside.set()
        return self.real(*args, **kwargs)


def blocked_by(waiting: Caller, holder: Caller) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [holder.pid, waiting.pid])
        return cur.fetchone()[0]


def race(gate: Gate, first_fn: Callable[[], Any], second_fn: Callable[[], Any]):
    """Run first_fn until it is stopped at the gate (holding its locks), then second_fn until it
    waits for first's lock or reaches the gate too; then let both finish."""
    first, second = Caller(first_fn), Caller(second_fn)
    first.start()
    assert gate.first_inside.wait(timeout=30), first.error
    second.start()
    assert second.connected.wait(timeout=30)
    for _ in range(3000):  # each turn waits up to 10 ms for the second to reach the gate
        if gate.second_inside.wait(0.01) or not second.is_alive() or blocked_by(second, first):
            break
    else:
        pytest.fail("the second caller neither waited for the first nor reached the gate")
    gate.opened.set()
    first.join(timeout=60)
    second.join(timeout=60)
    assert not first.is_alive() and not second.is_alive()
    assert (first.error, second.error) == (None, None)
    return first.result, second.result


def validated(user, unit, n: int) -> RosterImport:
    data = roster_xlsx(roster_sample(n, seed=31))
    imp = roster_upload(user=user, unit=unit, filename="名册.xlsx", data=data)
    runner.run_until_empty()  # the validation job
    imp.refresh_from_db()
    assert (imp.status, imp.pending_rows) == (RosterImport.Status.VALIDATED, n)
    return imp


def test_two_requests_to_commit_one_import_at_once_queue_one_job(people, orgs, monkeypatch):
    imp = validated(people.alice, orgs["tianning"], 20)
    gate = Gate(monkeypatch, runner, "job_enqueue")  # stops inside, the import's row locked

    def start(user):
        return lambda: roster_commit_start(imp=imp, user=user).job_id

    a, b = race(gate, start(people.alice), start(people.bob))
    assert a == b
    assert Job.objects.filter(kind=roster_commit.JOB_KIND).count() == 1
    assert AuditLog.objects.filter(action="member.import_start", object_id=str(imp.pk)).count() == 1


def test_two_workers_running_one_commit_at_once_write_each_member_once(people, orgs, monkeypatch):
    imp = roster_commit_start(imp=validated(people.alice, orgs["tianning"], 60), user=people.alice)
    # stops the first worker's first batch just before its insert, the import's row locked
    gate = Gate(monkeypatch, roster_commit, "insert_ignoring_conflicts")

    def work():
        return roster_commit_job(Job.objects.get(pk=imp.job_id), lambda *a, **k: None)

    race(gate, work, work)
    imp.refresh_from_db()
    assert (imp.status, imp.committed_through) == (RosterImport.Status.DONE, 60)
    assert (imp.created_count, imp.existing_count) == (60, 0)
    members = Member.objects.filter(import_batch=imp)
    assert members.count() == Member.objects.count() == 60
    assert members.values("member_number").distinct().count() == 60
    assert not Member.objects.values("id_number_hash").annotate(n=Count("id")).filter(n__gt=1)
    assert Member.platforms.through.objects.count() == 60
    done = AuditLog.objects.filter(action="member.import", object_id=str(imp.pk))
    assert [(a.detail["created"], a.detail["existing"]) for a in done] == [(60, 0)]

"""The migrations that give jobs and analyses their city keep every row of an existing (Changzhou)
deployment, each with its values and Changzhou, and go back and forward again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from waystation.jobs.models import Job
from waystation.planner.models import Analysis

# Just before: jobs 0001 and planner 0001, on the vocabulary as rows (accounts 0002).
BEFORE = [
    ("accounts", "0002_vocabulary_as_data"),
    ("jobs", "0001_initial"),
    ("planner", "0001_initial"),
]


def _migrate(targets):
    """Migrate to `targets` (None: the latest) and return the models of the state reached."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(sorted(executor.loader.applied_migrations)).apps


def _check(pks: dict[str, list[int]]) -> None:
    jobs = list(Job.objects.order_by("pk").select_related("city"))
    analyses = list(Analysis.objects.order_by("pk").select_related("city"))
    assert [j.pk for j in jobs] == pks["jobs"]
    assert [a.pk for a in analyses] == pks["analyses"]
    assert [(j.kind, j.status, j.done) for j in jobs] == [
        ("planner.analysis", "done", 3),
        ("members.roster_import", "queued", 0),
    ]
    assert [(a.kind, a.params, a.job_id) for a in analyses] == [
        ("coverage", {"demand": "members"}, pks["jobs"][0])
    ]
    assert {r.city.adcode for r in [*jobs, *analyses]} == {"320400"}


@pytest.mark.django_db(transaction=True)
def test_every_job_and_analysis_keeps_its_values_and_gets_changzhou_both_ways():
    try:
        old = _migrate(BEFORE)
        User = old.get_model("auth", "User")
        OldJob, OldAnalysis = old.get_model("jobs", "Job"), old.get_model("planner", "Analysis")
        carl = User.objects.create(username="carl-1999")
        job = OldJob.objects.create(kind="planner.analysis", status="done", done=3, created_by=carl)
        other = OldJob.objects.create(kind="members.roster_import")  # no starter
        analysis = OldAnalysis.objects.create(
            kind="coverage", params={"demand": "members"}, job=job, created_by=carl
        )
        pks = {"jobs": [job.pk, other.pk], "analyses": [analysis.pk]}
        _migrate(None)
        _check(pks)

        old = _migrate(BEFORE)  # back: the rows stay, without their city
        assert (
            sorted(old.get_model("jobs", "Job").objects.values_list("pk", flat=True))
            == (pks["jobs"])
        )
        assert (
            list(old.get_model("planner", "Analysis").objects.values_list("pk", flat=True))
            == (pks["analyses"])
        )
        _migrate(None)
        _check(pks)
    finally:
        _migrate(None)

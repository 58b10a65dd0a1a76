"""Bulk gifted enrolment as a background job: progress, scope, idempotent re-runs."""

from datetime import date

from waystation.aid import services
from waystation.aid.models import Enrolment
from waystation.aid.services import Gift
from waystation.jobs import runner
from waystation.members.tests.factories import make_member


def test_gift_by_filter_enrols_members_in_scope_once(people, plans, orgs):
    tianning = [make_member(district="tianning") for _ in range(7)]
    make_member(district="zhonglou")  # outside alice's scope: not gifted
    batch = services.gift_batch_start(
        gift=Gift(plan=plans["accident"], unit=orgs["tianning"], filters={"district": "tianning"}),
        actor=people.alice, enrol_on=date(2026, 3, 1),
    )  # fmt: skip
    assert batch.job.status == "queued"
    runner.run_until_empty()
    batch.refresh_from_db()
    assert batch.job.status == "done" and batch.job.done == batch.job.total == 7
    assert set(Enrolment.objects.values_list("member_id", flat=True)) == {m.pk for m in tianning}
    assert batch.created_count == 7

    again = services.gift_batch_start(
        gift=Gift(plan=plans["accident"], unit=orgs["tianning"], filters={"district": "tianning"}),
        actor=people.alice, enrol_on=date(2026, 3, 1),
    )  # fmt: skip
    runner.run_until_empty()
    again.refresh_from_db()
    assert Enrolment.objects.count() == 7 and again.created_count == 0


def test_gift_by_list_takes_only_the_listed_members(people, plans, orgs):
    a, b, _c = (make_member(district="tianning") for _ in range(3))
    batch = services.gift_batch_start(
        gift=Gift(plan=plans["accident"], unit=orgs["city"], filters={},
                  member_numbers=(a.member_number, b.member_number)),
        actor=people.carl,
    )  # fmt: skip
    runner.run_until_empty()
    batch.refresh_from_db()
    assert set(Enrolment.objects.values_list("member_id", flat=True)) == {a.pk, b.pk}

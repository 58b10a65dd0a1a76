"""A gift by uploaded list stays within the giver's scope, like a gift by filter."""

from datetime import date

from waystation.aid import services
from waystation.aid.models import Enrolment
from waystation.aid.services import Gift
from waystation.jobs import runner
from waystation.members.tests.factories import make_member


def test_gift_by_list_skips_members_outside_the_givers_scope(people, plans, orgs):
    ours = make_member(district="tianning", industry="express")
    theirs = make_member(district="zhonglou", industry="express")  # not alice's
    batch = services.gift_batch_start(
        gift=Gift(plan=plans["accident"], unit=orgs["tianning"], filters={},
                  member_numbers=(ours.member_number, theirs.member_number)),
        actor=people.alice, enrol_on=date(2026, 3, 1),
    )  # fmt: skip
    runner.run_until_empty()
    batch.refresh_from_db()
    assert list(Enrolment.objects.values_list("member_id", flat=True)) == [ours.pk]
    assert batch.total == 1

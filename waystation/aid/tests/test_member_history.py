"""Mutual aid in a member's history on the staff detail page (members/history.py)."""

import pytest

from waystation.members.history import member_history

pytestmark = pytest.mark.django_db


def test_the_enrolment_and_the_claim_are_in_the_members_history(claim, rider, people, as_user):
    events = {e.kind: e for e in member_history(rider)}
    assert events["理赔"].title == f"{claim.number} · 意外受伤"
    assert events["理赔"].url == f"/staff/aid/claims/{claim.number}/"
    assert events["参保"].note.startswith("本人参保，保障期 ")
    html = as_user(people.alice).get(f"/staff/members/{rider.member_number}/").content.decode()
    assert f'<a href="/staff/aid/claims/{claim.number}/">{claim.number}' in html


def test_another_members_claim_is_not_in_the_history(claim, other_rider):
    assert [e.kind for e in member_history(other_rider)] == ["入会"]

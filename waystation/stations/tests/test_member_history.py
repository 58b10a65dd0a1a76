"""Check-ins in a member's history on the staff detail page (members/history.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from waystation.members.history import member_history
from waystation.stations.models import Visit

pytestmark = pytest.mark.django_db


def test_a_members_check_ins_are_in_the_history_newest_first(member, make_station):
    station = make_station("TN001", name="天宁吾悦驿站")
    now = timezone.now()
    for days in (3, 1):
        Visit.objects.create(
            station=station, member=member, at=now - timedelta(days=days), proof="code"
        )
    Visit.objects.create(station=station, at=now)  # someone else's, anonymous
    checkins = [e for e in member_history(member) if e.kind == "驿站签到"]
    assert [(e.title, e.note) for e in checkins] == [("天宁吾悦驿站", "驿站二维码")] * 2
    assert checkins[0].at > checkins[1].at

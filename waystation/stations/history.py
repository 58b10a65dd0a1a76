"""Stations in a member's history (members/history.py): check-ins and fault reports."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from waystation.members.history import PER_KIND, Event
from waystation.members.models import Member

from .models import FaultReport, Visit


def member_events(member: Member) -> Iterable[Event]:
    for v in Visit.objects.filter(member=member).select_related("station")[:PER_KIND]:
        yield Event(
            at=v.at,
            kind=_("驿站签到"),
            title=f"{v.station.name}",
            note=v.get_proof_display(),
            css="checkin",
        )
    for r in FaultReport.objects.filter(member=member).select_related("station")[:PER_KIND]:
        yield Event(
            at=r.created_at,
            kind=_("故障报告"),
            title=f"{r.station.name} · {r.get_category_display()}",
            note=r.get_status_display(),
            css="checkin",
        )

"""Mutual aid in a member's history (members/history.py): the enrolments and the claims."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from waystation.members.history import PER_KIND, Event
from waystation.members.models import Member

from .models import Claim, Enrolment


def member_events(member: Member) -> Iterable[Event]:
    for e in Enrolment.objects.filter(member=member).select_related("plan")[:PER_KIND]:
        yield Event(
            at=e.created_at,
            kind=_("参保"),
            title=str(e.plan),
            note=_("%(source)s，保障期 %(start)s 至 %(end)s")
            % {"source": e.get_source_display(), "start": e.covered_from, "end": e.covered_to},
            css="aid",
        )
    for c in Claim.objects.filter(member=member).order_by("-submitted_at", "-id")[:PER_KIND]:
        yield Event(
            at=c.submitted_at,
            kind=_("理赔"),
            title=f"{c.number} · {c.get_incident_type_display()}",
            note=c.get_status_display(),
            url=reverse("aid:staff_claim", args=[c.number]),
            css="aid",
        )

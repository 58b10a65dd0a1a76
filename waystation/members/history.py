"""A member's history on the staff detail page: one timeline of what happened to the member and
what the member did — joining, transfers, status changes (this app), and what other apps record
about a member (check-ins at stations, mutual-aid enrolments and claims).

Other apps are never imported from here (a low app importing higher ones is a hidden cycle):
each registers a provider in its AppConfig.ready() with `register`, a function from a member to
the events it knows of, at most `PER_KIND` of each kind, newest first. The page merges them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from waystation.privacy.audit import AuditAction
from waystation.privacy.models import AuditLog

from .models import Member

PER_KIND = 50  # a regular rider checks in every day: the most recent of each kind


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # what it was, in words: "入会", "转会", "驿站签到"
    title: str  # what, with its business number where there is one
    note: str = ""  # who did it, why
    url: str = ""  # its own page, for staff who may open it (the page checks)
    css: str = ""  # join, transfer, status, checkin, aid


Provider = Callable[[Member], Iterable[Event]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a source of events (an app's, in its AppConfig.ready())."""
    if provider not in _providers:
        _providers.append(provider)


def _own(member: Member) -> Iterable[Event]:
    transfers = list(
        member.transfers.select_related("actor", "from_unit", "to_unit", "to_city")[:PER_KIND]
    )
    how = member.get_channel_display()
    if member.campaign is not None:
        how = f"{how} · {member.campaign.name}"
    first_union = transfers[-1].from_unit if transfers else member.union  # newest first
    yield Event(
        at=member.joined_at,
        kind=_("入会"),
        title=_("加入%(union)s") % {"union": first_union.name},
        note=how,
        css="join",
    )
    for t in transfers:
        yield Event(
            at=t.at,
            kind=_("转会"),
            title=f"{t.from_unit.name} → {t.to_unit.name}"
            + (f"（{t.to_city.name}）" if t.moved_city else ""),
            note=f"{t.actor.get_username()}：{t.reason}",
            css="transfer",
        )
    statuses = (AuditAction.MEMBER_ACTIVE, AuditAction.MEMBER_LAPSED, AuditAction.MEMBER_WITHDRAWN)
    for entry in (
        AuditLog.objects.filter(
            object_type=Member._meta.label_lower,
            object_id=str(member.pk),
            action__in=[a.value for a in statuses],
        )
        .select_related("actor")
        .order_by("-at")[:PER_KIND]
    ):
        who = entry.actor.get_username() if entry.actor else entry.actor_label
        yield Event(
            at=entry.at,
            kind=_("状态变更"),
            title=str(AuditAction(entry.action).label),
            note=f"{who}：{entry.reason}" if entry.reason else who,
            css="status",
        )


def member_history(member: Member) -> list[Event]:
    """Every event of every registered source, newest first (ties: joining last)."""
    events = list(_own(member))
    for provider in _providers:
        events.extend(provider(member))
    return sorted(events, key=lambda e: (e.at, e.css != "join"), reverse=True)

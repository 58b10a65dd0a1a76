"""Post/Redirect/Get: every successful POST answers a redirect, so reloading or going Back never
submits it again (two fault reports from one tap).

Most pages say what happened with django.contrib.messages on the page they redirect to. A page
whose result is a page of its own (a check-in, a fault report filed) keeps the outcome here, in
the visitor's session under a name, and its GET view reads it back: reloading that page shows the
same outcome and writes nothing. Only ids and flags go in, never personal data."""

from typing import Any

from django.http import HttpRequest

PREFIX = "prg:"


def outcome_keep(request: HttpRequest, name: str, **outcome: Any) -> None:
    """Remember what a successful POST did, for the page it redirects to (JSON-serialisable)."""
    request.session[PREFIX + name] = outcome


def outcome_read(request: HttpRequest, name: str) -> dict[str, Any] | None:
    """What the last successful POST under `name` did in this session, or None."""
    return request.session.get(PREFIX + name)

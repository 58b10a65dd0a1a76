"""Staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request (8 hours by default).

Members sign in with phone and SMS code (members/middleware.py) and stay signed in for
SESSION_COOKIE_AGE, 90 days: a rider should not type a code every week. Staff accounts open
personal data, often on shared office computers, so a staff session ends when left idle; each
request slides the limit on. Staff are every account that signs in with a password
(django.contrib.auth): members never do.

The session's expiry is set to the idle limit at sign-in and again as requests come, so the
stored session and the cookie expire together; the time of the last request is kept in the
session beside it. Both are rewritten at most once a minute — a session write on every staff
request otherwise — so a session may end up to a minute early, never late.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

LAST_SEEN = "staff_last_seen"
TOUCH_SECONDS = 60


def _touch(session: SessionBase, now: float) -> None:
    session[LAST_SEEN] = int(now)
    session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)


@receiver(user_logged_in)
def _staff_signed_in(sender: type, request: HttpRequest, user: User, **kwargs: Any) -> None:
    _touch(request.session, timezone.now().timestamp())


class StaffSessionMiddleware:
    """Slides a staff session's expiry on, and signs out one idle past the limit that a session
    backend still returned (or one from before the limit existed, which has no time at all).
    Placed after AuthenticationMiddleware; the page asked for then sends them to the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Visitors without a session cookie cost nothing (and get no `Vary: Cookie`).
        if settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in request.session:
            now = timezone.now().timestamp()
            last = request.session.get(LAST_SEEN)
            if last is None or now - last > settings.STAFF_SESSION_IDLE_SECONDS:
                logout(request)
            elif now - last >= TOUCH_SECONDS:
                _touch(request.session, now)
        return self.get_response(request)

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

if TYPE_CHECKING:
    from .models import Member

SESSION_KEY = "member_id"


class MemberRequest(HttpRequest):
    """The type of a request this middleware has seen: views that read `request.member` take
    one (nothing is constructed: it only names the attribute for the type checker)."""

    member: "Member | None"


def _member(request: HttpRequest) -> "Member | None":
    from .models import Member

    member_id = request.session.get(SESSION_KEY)
    if not member_id:
        return None
    return Member.objects.filter(pk=member_id).select_related("union", "city").first()


class MemberSessionMiddleware:
    """Puts the signed-in member (phone + SMS code sign-in) on request.member, or None."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.member = SimpleLazyObject(lambda: _member(request))  # type: ignore[attr-defined]
        return self.get_response(request)

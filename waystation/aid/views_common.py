"""What the staff pages of mutual aid share: page size, the role gate, the unions one acts for."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from waystation.accounts.access import AnyUser, scope_of
from waystation.accounts.models import OrgUnit

PAGE_SIZE = 50


def require(request: HttpRequest, allowed: Callable[[Any], bool]) -> None:
    """Pages for one kind of staff: everybody else gets 404, as for anything out of scope."""
    if not allowed(request.user):
        raise Http404


def units_of(user: AnyUser) -> QuerySet[OrgUnit]:
    """The unions a staff account acts for: all of them for the city."""
    scope = scope_of(user)
    if scope.city:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(pk__in=scope.units)

"""What the staff pages of mutual aid share: page size, the role gate, the unions one acts for."""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest

from .access import units_of

__all__ = ["PAGE_SIZE", "require", "units_of"]

PAGE_SIZE = 50


def require(request: HttpRequest, allowed: Callable[[Any], bool]) -> None:
    """Pages for one kind of staff: everybody else gets 404, as for anything out of scope."""
    if not allowed(request.user):
        raise Http404

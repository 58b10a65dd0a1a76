from django.conf import settings
from django.http import HttpRequest

from waystation.accounts.access import scope_of
from waystation.accounts.selectors import federation_name

from . import nav


def site(request: HttpRequest) -> dict:
    scope = scope_of(getattr(request, "user", None))
    return {
        "scope": scope,
        "site_name": federation_name(),
        "staff_nav": nav.items_for(request.user) if scope.is_staff else [],
        "member": getattr(request, "member", None),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }

from django.conf import settings
from django.http import HttpRequest

from waystation.accounts.access import scope_of
from waystation.accounts.selectors import federation_name

from . import nav


def _staff_groups(request: HttpRequest) -> list[dict]:
    """The account's navigation groups, the item of the page open marked current (the longest
    of the items' URLs the path starts with: /staff/stations/reports/ is 故障报告, not 驿站)."""
    groups = nav.groups_for(request.user)
    items = [i for g in groups for i in g["items"] if request.path.startswith(i["url"])]
    current = max(items, key=lambda i: len(i["url"]), default=None)
    for g in groups:
        for i in g["items"]:
            i["current"] = i is current
        g["current"] = any(i["current"] for i in g["items"])
    return groups


def site(request: HttpRequest) -> dict:
    scope = scope_of(getattr(request, "user", None))
    return {
        "scope": scope,
        "site_name": federation_name(),
        "staff_groups": _staff_groups(request) if scope.is_staff else [],
        "member": getattr(request, "member", None),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }

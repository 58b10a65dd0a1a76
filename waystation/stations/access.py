"""Who sees which stations and may change them (the rule of accounts.access, applied to stations).

Union staff see and manage the stations of their districts (the city all of them; an industry
union none); a station keeper sees and keeps the stations they keep. `station_update` asks
`can_manage_station` / `can_keep_station` itself, whoever calls it."""

from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import Q

from waystation.accounts.access import AnyUser, Role, get_in_scope_or_404, scope_of

from .models import Station, StationQuerySet


def stations_visible_to(user: AnyUser) -> StationQuerySet:
    """Staff view of the registry: union staff see the stations of their districts (the city all
    of them; an industry union none), a station keeper the stations they keep."""
    scope = scope_of(user)
    qs = Station.objects.all()
    if not scope.is_staff:
        return qs.none()
    q = Q(pk__in=[])
    if scope.is_union_staff:
        union_q = scope.q(district="district")
        if union_q is None:
            return qs
        q |= union_q
    if scope.has(Role.STATION_KEEPER):
        kept = Station.keepers.through.objects.filter(user_id=cast(User, user).pk).values(
            "station_id"
        )
        q |= Q(pk__in=kept)
    return qs.filter(q)


def station_for_staff(user: AnyUser, code: str) -> Station:
    return get_in_scope_or_404(stations_visible_to(user), code=code)


def can_see_stations(user: AnyUser) -> bool:
    """The staff station list and fault reports: union staff and station keepers."""
    scope = scope_of(user)
    return scope.is_union_staff or scope.has(Role.STATION_KEEPER)


def can_manage_station(user: AnyUser, station: Any) -> bool:
    """Every field of a station (create, move, status): union staff whose scope holds it."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return False
    return scope.city or station.district in scope.districts


def can_keep_station(user: AnyUser, station: Any) -> bool:
    """Hours, closures, services, fault reports: its keepers and the union staff over it."""
    if can_manage_station(user, station):
        return True
    return (
        scope_of(user).has(Role.STATION_KEEPER)
        and station.keepers.filter(pk=getattr(user, "pk", None)).exists()
    )

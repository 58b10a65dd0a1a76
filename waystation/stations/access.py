"""Who sees which stations and may change them (the rule of accounts.access, applied to stations).

A station belongs to the city of its district. Union staff see and manage the stations of their
districts in their city (staff who see a city whole, all of its stations; an industry union
none); a station keeper sees and keeps the stations they keep, in the cities they hold roles in.
Every query here filters on the row's city column first (`Scope.q`). Fault reports follow their
station. `station_update` asks `can_manage_station` / `can_keep_station` itself, whoever calls
it. The public pages and the nearest-station API are not here: they show every city's public
stations (a rider near a city border is sent to the nearest station, whichever city runs it)."""

from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from waystation.accounts.access import AnyUser, Role, get_in_scope_or_404, scope_of

from .models import FaultReport, Station, StationQuerySet


def _kept_q(user: AnyUser) -> Q:
    """The stations a keeper keeps, in the cities of the keeper's roles."""
    scope = scope_of(user)
    if not scope.has(Role.STATION_KEEPER):
        return Q(pk__in=[])
    kept = Station.keepers.through.objects.filter(user_id=cast(User, user).pk).values("station_id")
    return Q(city__in=sorted(scope.home_cities), pk__in=kept)


def stations_visible_to(user: AnyUser) -> StationQuerySet:
    """Staff view of the registry: union staff see the stations of their districts (staff of a
    city or province every station of its cities; an industry union none), a station keeper
    the stations they keep."""
    scope = scope_of(user)
    qs = Station.objects.all()
    if not scope.is_staff:
        return qs.none()
    q = _kept_q(user)
    if scope.is_union_staff:
        q |= scope.q(city="city", district="district")
    return qs.filter(q)


def station_for_staff(user: AnyUser, code: str) -> Station:
    return get_in_scope_or_404(
        stations_visible_to(user)
        .select_related("district", "city")
        .defer("district__boundary", "city__boundary"),
        code=code,
    )


def reports_visible_to(user: AnyUser) -> QuerySet[FaultReport]:
    """Fault reports of the stations the user sees, filtered on the report's own city too."""
    cities = sorted(scope_of(user).home_cities)
    return FaultReport.objects.filter(
        city__in=cities, station__in=stations_visible_to(user)
    ).select_related("station")


def can_see_stations(user: AnyUser) -> bool:
    """The staff station list and fault reports: union staff and station keepers."""
    scope = scope_of(user)
    return scope.is_union_staff or scope.has(Role.STATION_KEEPER)


def can_manage_station(user: AnyUser, station: Any) -> bool:
    """Every field of a station (create, move, status): union staff whose scope holds its city
    and district."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return False
    return scope.sees(station.city_id, district=station.district_id)


def can_keep_station(user: AnyUser, station: Any) -> bool:
    """Hours, closures, services, fault reports: its keepers and the union staff over it."""
    if can_manage_station(user, station):
        return True
    scope = scope_of(user)
    return (
        scope.has(Role.STATION_KEEPER)
        and station.city_id in scope.home_cities
        and station.keepers.filter(pk=getattr(user, "pk", None)).exists()
    )

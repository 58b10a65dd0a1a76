"""Who sees what: the scope of a staff account, and the one rule for refusing.

A staff account holds roles on org units, and every unit belongs to a city (the tenant) or, for
a province federation, to a province:
- a role on a province unit sees every city of the province whole;
- a role on a city unit (or the city_admin role) sees that city whole, and no other city;
- a role on a district unit sees the rows of its city whose district is that district;
- a role on an industry unit sees the rows of its city whose industry is that industry;
- a station keeper sees the stations they keep; a platform liaison the rows of their platform
  in the liaison's city.
Every filter built here names the row's city column first (`Scope.q`), so staff of one city
never reach another city's rows by id, and each query stays on one city (one shard, see
docs/scaling.md).
Anything outside the scope answers 404, never 403, so outsiders learn nothing of its existence.
A step the account may not take on a row it can see answers 404 as well: one answer for every
refusal, so a page or the API never tells "exists, but not for you" from "does not exist".

This module is the lowest layer: `Scope`, `scope_of`, `filter_in_scope`, the view decorators and
`NotInScope`, and it imports no higher app. The rules about one kind of row live beside the row,
in the app that owns it — `members.access`, `stations.access`, `aid.access`, `jobs.access`,
`planner.access` — each a `*_visible_to(user)` queryset and `can_*(user[, row])` predicates built
from the Scope here. The staff navigation registers those same `can_*` functions.

Who checks:
- reads: the view fetches every row through an access-checked helper (`member_for_staff`,
  `station_for_staff`, `claim_for_user`, `get_in_scope_or_404`), which answers 404 for a row out
  of scope, before any form is read;
- writes: the service, given the actor, asks the owning app's `can_*` rule itself and raises
  `NotInScope` when it says no. It never takes a yes/no (a flag, a role) from its caller. This
  covers the money path (claim steps with the claim's scope, approvals, overrides, payouts, bank
  batches, plans, gifts, condolences), personal data (revealing, status, transfers) and stations
  (creation, edits, closures, photos, posters, fault reports). A job, a command or the API
  reaches the same check as the page. A service without an actor says why in a comment (public
  check-ins and joins, jobs, commands, demo loaders).
`NotInScope` is mapped to 404 once: for pages by `core.middleware.NotInScopeMiddleware`, for the
API by its exception handler (`waystation.api`). Views and endpoints do not catch it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from .models import City, OrgUnit, StaffRole

Role = StaffRole.Role
M = TypeVar("M", bound=Model)

AnyUser = User | AnonymousUser
"""Whoever a request carries: the rules here answer "nothing" for the anonymous."""


class AuthenticatedHttpRequest(HttpRequest):
    """The request a view decorated below receives: its user has signed in. Only a type (the
    one django-stubs recommends for such views); Django builds the plain HttpRequest."""

    user: User


class NotInScope(PermissionDenied):
    """The actor may not see this row, or may not take this step on it. Answered with 404, the
    same as a row that does not exist (see the module docstring)."""


Pair = tuple[int, str]


@dataclass(frozen=True)
class Scope:
    """What a staff account's roles cover. Every grant names its city: a role on a district or
    industry union covers that union's rows in its own city only, and a row is matched by its
    city column first (so that every query of a city-owned table carries the city filter)."""

    roles: frozenset[Role] = frozenset()
    # Cities seen whole: the city administrator, union staff on a city unit, staff of a province
    # unit (every city of the province).
    cities: frozenset[int] = frozenset()
    districts: frozenset[Pair] = frozenset()  # (city id, district code)
    industries: frozenset[Pair] = frozenset()  # (city id, industry code)
    platforms: frozenset[tuple[int, int]] = frozenset()  # (city id, platform id), liaisons
    admin_cities: frozenset[int] = frozenset()  # the cities the account administers
    # Every city the account holds any role in (a station keeper's or a lawyer's too).
    home_cities: frozenset[int] = frozenset()
    units: tuple[int, ...] = field(default=())

    @property
    def is_staff(self) -> bool:
        return bool(self.roles)

    @property
    def admin(self) -> bool:
        """A city administrator (of the cities in `admin_cities`)."""
        return bool(self.admin_cities)

    @property
    def city(self) -> bool:
        """Sees at least one city whole. A rule about one row asks `sees_city(row.city_id)`."""
        return bool(self.cities)

    @property
    def district_codes(self) -> frozenset[str]:
        return frozenset(code for _, code in self.districts)

    @property
    def industry_codes(self) -> frozenset[str]:
        return frozenset(code for _, code in self.industries)

    @property
    def platform_ids(self) -> frozenset[int]:
        return frozenset(pid for _, pid in self.platforms)

    @property
    def is_union_staff(self) -> bool:
        """City admin or union staff at any level: the people who run members and aid."""
        return self.admin or self.has(Role.UNION_STAFF)

    @property
    def verifies_cards(self) -> bool:
        """Checking a member's e-card (name, union, status): union staff, station keepers at
        the door, pro-bono lawyers before a consultation; not platform liaisons."""
        return self.is_union_staff or bool({Role.STATION_KEEPER, Role.LAWYER} & self.roles)

    def has(self, role: Role) -> bool:
        return role in self.roles

    def sees_city(self, city_id: int | None) -> bool:
        return city_id in self.cities

    def administers(self, city_id: int | None) -> bool:
        return city_id in self.admin_cities

    def sees(
        self,
        city_id: int | None,
        *,
        district: str | None = None,
        industry: str | None = None,
        platform: int | None = None,
    ) -> bool:
        """The row-level rule of `q`, for a row already in hand."""
        return (
            city_id in self.cities
            or (city_id, district) in self.districts
            or (city_id, industry) in self.industries
            or (platform is not None and (city_id, platform) in self.platforms)
        )

    def q(
        self,
        *,
        city: str = "city",
        district: str | None = None,
        industry: str | None = None,
        platform: str | None = None,
    ) -> Q:
        """A filter for rows in scope, given the names of the row's city, district, industry and
        platform fields. Every branch filters on the city column; Q(pk__in=[]) means nothing."""
        q = Q(pk__in=[])
        if self.cities:
            q |= Q(**{f"{city}__in": sorted(self.cities)})
        for field_name, grants in ((district, self.districts), (industry, self.industries)):
            if field_name:
                for city_id, codes in _by_city(grants).items():
                    q |= Q(**{city: city_id, f"{field_name}__in": codes})
        if platform:
            for city_id, ids in _by_city(self.platforms).items():
                q |= Q(**{city: city_id, f"{platform}__in": ids})
        return q


def _by_city(grants: frozenset[tuple[int, Any]]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for city_id, value in sorted(grants):
        out.setdefault(city_id, []).append(value)
    return out


EMPTY = Scope()


def scope_of(user: AnyUser | None) -> Scope:
    """The user's scope, computed once per request object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY
    cached = getattr(user, "_waystation_scope", None)
    if cached is not None:
        return cached
    roles = list(StaffRole.objects.filter(user=cast(User, user)).select_related("unit"))
    names = frozenset(Role(r.role) for r in roles)
    union_roles = [r for r in roles if r.role in (Role.CITY_ADMIN, Role.UNION_STAFF)]
    provinces = {r.unit.province_id for r in roles if r.unit.province_id}
    province_cities: dict[int, set[int]] = {}
    if provinces:
        for city_id, province_id in City.objects.filter(province_id__in=provinces).values_list(
            "pk", "province_id"
        ):
            province_cities.setdefault(province_id, set()).add(city_id)

    def cities_of(r: StaffRole) -> set[int]:
        if r.unit.kind == OrgUnit.Kind.PROVINCE:
            return province_cities.get(r.unit.province_id or 0, set())
        return {r.unit.city_id} if r.unit.city_id else set()

    whole = [r for r in union_roles if r.role == Role.CITY_ADMIN or r.unit.kind in WHOLE]
    scope = Scope(
        roles=names,
        cities=frozenset(c for r in whole for c in cities_of(r)),
        districts=frozenset(
            (r.unit.city_id, r.unit.district_id)
            for r in union_roles
            if r.unit.district_id and r.unit.city_id
        ),
        industries=frozenset(
            (r.unit.city_id, r.unit.industry_id)
            for r in union_roles
            if r.unit.industry_id and r.unit.city_id
        ),
        platforms=frozenset(
            (r.unit.city_id, r.platform_id)
            for r in roles
            if r.role == Role.PLATFORM_LIAISON and r.platform_id and r.unit.city_id
        ),
        admin_cities=frozenset(c for r in roles if r.role == Role.CITY_ADMIN for c in cities_of(r)),
        home_cities=frozenset(c for r in roles for c in cities_of(r)),
        units=tuple(r.unit_id for r in roles),
    )
    user._waystation_scope = scope  # type: ignore[union-attr]
    return scope


WHOLE = (OrgUnit.Kind.CITY, OrgUnit.Kind.PROVINCE)


def filter_in_scope(
    user: AnyUser | None,
    qs: QuerySet,
    *,
    city: str = "city",
    district: str | None = None,
    industry: str | None = None,
    platform: str | None = None,
    require_union_staff: bool = True,
) -> QuerySet:
    scope = scope_of(user)
    if require_union_staff and not scope.is_union_staff:
        return qs.none()
    return qs.filter(scope.q(city=city, district=district, industry=industry, platform=platform))


def get_in_scope_or_404(qs: QuerySet[M], **lookup: Any) -> M:
    try:
        return qs.get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


# --- decorators for staff views ----------------------------------------------------------------


def requires(allowed: Callable[[Any], bool]) -> Callable[[Callable], Callable]:
    """A view decorator for a rule about the user (an app's `can_*(user)`, the one its
    navigation item registers): anonymous → login page; signed in but not allowed → 404."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def requires_scope(allowed: Callable[[Scope], bool]) -> Callable[[Callable], Callable]:
    """The same for a rule about the scope: anonymous → login page; without the role → 404."""
    return requires(lambda user: allowed(scope_of(user)))


staff_required = requires_scope(lambda scope: scope.is_staff)
union_staff_required = requires_scope(lambda scope: scope.is_union_staff)
admin_required = requires_scope(lambda scope: scope.admin)
card_verifier_required = requires_scope(lambda scope: scope.verifies_cards)


def can_read_audit_log(user: AnyUser) -> bool:
    return scope_of(user).admin

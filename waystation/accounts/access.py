"""Who sees what: the scope of a staff account, and the one rule for refusing.

A staff account holds roles on org units:
- a role on the city unit (or the city_admin role) sees everything;
- a role on a district unit sees rows whose district is that district;
- a role on an industry unit sees rows whose industry is that industry;
- a station keeper sees the stations they keep; a platform liaison the rows of their platform.
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

from .models import OrgUnit, StaffRole

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


@dataclass(frozen=True)
class Scope:
    roles: frozenset[Role] = frozenset()
    city: bool = False
    districts: frozenset[str] = frozenset()
    industries: frozenset[str] = frozenset()
    platforms: frozenset[int] = frozenset()
    admin: bool = False
    units: tuple[int, ...] = field(default=())

    @property
    def is_staff(self) -> bool:
        return bool(self.roles)

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

    def q(
        self,
        *,
        district: str | None = None,
        industry: str | None = None,
        platform: str | None = None,
    ) -> Q | None:
        """A filter for rows in scope, given the names of the row's district/industry/platform
        fields. None means "everything" (city scope); Q(pk__in=[]) means nothing."""
        if self.city:
            return None
        q = Q(pk__in=[])
        if district and self.districts:
            q |= Q(**{f"{district}__in": sorted(self.districts)})
        if industry and self.industries:
            q |= Q(**{f"{industry}__in": sorted(self.industries)})
        if platform and self.platforms:
            q |= Q(**{f"{platform}__in": sorted(self.platforms)})
        return q


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
    scope = Scope(
        roles=names,
        admin=Role.CITY_ADMIN in names,
        city=any(
            r.role == Role.CITY_ADMIN or r.unit.kind == OrgUnit.Kind.CITY for r in union_roles
        ),
        districts=frozenset(r.unit.district for r in union_roles if r.unit.district),
        industries=frozenset(r.unit.industry for r in union_roles if r.unit.industry),
        platforms=frozenset(
            r.platform_id for r in roles if r.role == Role.PLATFORM_LIAISON and r.platform_id
        ),
        units=tuple(r.unit_id for r in roles),
    )
    user._waystation_scope = scope  # type: ignore[union-attr]
    return scope


def filter_in_scope(
    user: AnyUser | None,
    qs: QuerySet,
    *,
    district: str | None = None,
    industry: str | None = None,
    platform: str | None = None,
    require_union_staff: bool = True,
) -> QuerySet:
    scope = scope_of(user)
    if require_union_staff and not scope.is_union_staff:
        return qs.none()
    q = scope.q(district=district, industry=industry, platform=platform)
    return qs if q is None else qs.filter(q)


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

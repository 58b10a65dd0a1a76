"""Who sees what. The one place that decides; apps call it, never each other's views.

A staff account holds roles on org units:
- a role on the city unit (or the city_admin role) sees everything;
- a role on a district unit sees rows whose district is that district;
- a role on an industry unit sees rows whose industry is that industry;
- a station keeper sees the stations they keep; a platform liaison the rows of their platform.
Anything outside the scope answers 404, never 403, so outsiders learn nothing of its existence.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from .models import OrgUnit, StaffRole

Role = StaffRole.Role


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str] = frozenset()
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
        return self.admin or Role.UNION_STAFF in self.roles

    @property
    def verifies_cards(self) -> bool:
        """Checking a member's e-card (name, union, status): union staff, station keepers at
        the door, pro-bono lawyers before a consultation; not platform liaisons."""
        return self.is_union_staff or bool({Role.STATION_KEEPER, Role.LAWYER} & self.roles)

    def has(self, role: str) -> bool:
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


def scope_of(user: Any) -> Scope:
    """The user's scope, computed once per request object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY
    cached = getattr(user, "_waystation_scope", None)
    if cached is not None:
        return cached
    roles = list(StaffRole.objects.filter(user=user).select_related("unit"))
    names = frozenset(r.role for r in roles)
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
    user._waystation_scope = scope
    return scope


def filter_in_scope(
    user: Any,
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


def get_in_scope_or_404(qs: QuerySet, **lookup: Any) -> Model:
    try:
        return qs.get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc


# --- members -----------------------------------------------------------------------------------


def members_visible_to(user: Any) -> QuerySet:
    from waystation.members.models import Member

    return filter_in_scope(
        user, Member.objects.all(), district="work_district", industry="industry"
    )


def member_for_staff(user: Any, member_number: str):
    return get_in_scope_or_404(members_visible_to(user), member_number=member_number)


def can_reveal_personal_data(user: Any) -> bool:
    """Full ID numbers and phones: union staff and the city admin, in scope, with a reason."""
    return scope_of(user).is_union_staff


def can_export_members(user: Any) -> bool:
    return scope_of(user).is_union_staff


def can_read_audit_log(user: Any) -> bool:
    return scope_of(user).admin


# --- decorators for staff views ----------------------------------------------------------------


def requires_scope(allowed: Callable[[Scope], bool]) -> Callable[[Callable], Callable]:
    """A view decorator: anonymous → login page; signed in without the role → 404."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(scope_of(request.user)):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = requires_scope(lambda scope: scope.is_staff)
union_staff_required = requires_scope(lambda scope: scope.is_union_staff)
admin_required = requires_scope(lambda scope: scope.admin)
card_verifier_required = requires_scope(lambda scope: scope.verifies_cards)


# --- aid ---------------------------------------------------------------------------------------


def claims_visible_to(user: Any) -> QuerySet:
    """Mutual-aid claims: union staff by the claimant's work district / industry (the city sees
    all), platform liaisons the claims naming their platform, everybody else nothing."""
    from waystation.aid.models import Claim

    return filter_in_scope(
        user,
        Claim.objects.all(),
        district="member__work_district",
        industry="member__industry",
        platform="platform",
        require_union_staff=False,
    )


def claim_documents_visible_to(user: Any) -> QuerySet:
    """Claims whose documents (invoices, diagnoses, bank cards) a staff account may open: union
    staff in scope only. A platform liaison confirms work status and never sees documents."""
    from waystation.aid.models import Claim

    return filter_in_scope(
        user, Claim.objects.all(), district="member__work_district", industry="member__industry"
    )


def claim_details_visible(user: Any, claim: Any) -> bool:
    """The payee's bank, the incident description, amounts and documents: union staff with the
    claim in scope. A platform liaison confirms on-duty status from the claimant's name and the
    incident's time and place, and sees only those."""
    return claim_documents_visible_to(user).filter(pk=claim.pk).exists()


def can_review_claims(user: Any) -> bool:
    """District (or industry, or city) review: union staff; the claim must also be in scope."""
    return scope_of(user).is_union_staff


def can_approve_claims(user: Any) -> bool:
    """City approval, payouts and the bank batch export: city-level union staff only."""
    scope = scope_of(user)
    return scope.is_union_staff and scope.city


# --- stations ----------------------------------------------------------------------------------


def stations_visible_to(user: Any) -> QuerySet:
    """Staff view of the registry: union staff see the stations of their districts (the city all
    of them; an industry union none), a station keeper the stations they keep."""
    from waystation.stations.models import Station

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
    if scope.has(str(Role.STATION_KEEPER)):
        kept = Station.keepers.through.objects.filter(user_id=user.pk).values("station_id")
        q |= Q(pk__in=kept)
    return qs.filter(q)


def station_for_staff(user: Any, code: str):
    return get_in_scope_or_404(stations_visible_to(user), code=code)


def can_manage_station(user: Any, station: Any) -> bool:
    """Every field of a station (create, move, status): union staff whose scope holds it."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return False
    return scope.city or station.district in scope.districts


def can_keep_station(user: Any, station: Any) -> bool:
    """Hours, closures, services, fault reports: its keepers and the union staff over it."""
    if can_manage_station(user, station):
        return True
    return (
        scope_of(user).has(str(Role.STATION_KEEPER))
        and station.keepers.filter(pk=getattr(user, "pk", None)).exists()
    )


# --- planning analyses ---------------------------------------------------------------------------


def analyses_visible_to(user: Any) -> QuerySet:
    """Planning analyses: union staff see their own; city-level staff see every analysis."""
    from waystation.planner.models import Analysis

    scope = scope_of(user)
    if not scope.is_union_staff:
        return Analysis.objects.none()
    if scope.city:
        return Analysis.objects.all()
    return Analysis.objects.filter(created_by_id=user.pk)


def can_manage_aid_plans(user: Any) -> bool:
    """Mutual-aid plans (create, edit every field, copy to next year): the city administrator and
    city-level union staff; district and industry unions only gift the plans the city sets."""
    scope = scope_of(user)
    return scope.is_union_staff and scope.city


# --- background jobs ----------------------------------------------------------------------------


def jobs_visible_to(user: Any) -> QuerySet:
    """A job's progress (an import, a gift, an analysis): whoever started it, and union staff whose
    scope holds a unit the starter works for as union staff (so colleagues on the same unit, and
    the city, which holds every unit). A platform liaison's or a station keeper's role on a unit
    is not union work: a liaison on the food-delivery union sees none of that union's jobs."""
    from waystation.jobs.models import Job

    scope = scope_of(user)
    if not scope.is_staff:
        return Job.objects.none()
    own = Q(created_by_id=user.pk)
    if not scope.is_union_staff:
        return Job.objects.filter(own)
    unit_q = scope.q(district="unit__district", industry="unit__industry")
    if unit_q is None:
        return Job.objects.all()
    starters = StaffRole.objects.filter(
        unit_q, role__in=[Role.UNION_STAFF, Role.CITY_ADMIN]
    ).values("user_id")
    return Job.objects.filter(own | Q(created_by_id__in=starters))

"""Reads for roster import: where a staff member may import to, and which imports they see."""

from django.db.models import Q, QuerySet

from waystation.accounts.access import AnyUser, filter_in_scope, scope_of
from waystation.accounts.models import OrgUnit

from ..models import RosterImport


def importable_units(user: AnyUser) -> QuerySet[OrgUnit]:
    """Units a staff member may import into: the ones in their scope."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return OrgUnit.objects.none()
    if scope.city:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(
        Q(kind=OrgUnit.Kind.DISTRICT, district__in=scope.districts)
        | Q(kind=OrgUnit.Kind.INDUSTRY, industry__in=scope.industries)
    )


def imports_visible_to(user: AnyUser) -> QuerySet[RosterImport]:
    """Imports into units in the user's scope (a colleague of the same unit sees them too)."""
    return filter_in_scope(
        user,
        RosterImport.objects.select_related("unit", "created_by", "job"),
        district="unit__district",
        industry="unit__industry",
    )

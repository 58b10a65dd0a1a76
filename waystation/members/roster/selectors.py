"""Reads for roster import: where a staff member may import to, and which imports they see."""

from django.db.models import QuerySet

from waystation.accounts.access import AnyUser, filter_in_scope
from waystation.accounts.models import OrgUnit

from ..access import units_in_scope
from ..models import RosterImport


def importable_units(user: AnyUser) -> QuerySet[OrgUnit]:
    """Units a staff member may import into: the unions of their cities in their scope (every
    one of a city seen whole; else their district's or industry's)."""
    return units_in_scope(user)


def imports_visible_to(user: AnyUser) -> QuerySet[RosterImport]:
    """Imports into units in the user's scope, in the import's city (a colleague of the same
    unit sees them too)."""
    return filter_in_scope(
        user,
        RosterImport.objects.select_related("unit", "created_by", "job"),
        city="city",
        district="unit__district",
        industry="unit__industry",
    )

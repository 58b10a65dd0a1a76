"""Whose background jobs a staff account sees (the rule of accounts.access, applied to jobs)."""

from django.db.models import Q, QuerySet

from waystation.accounts.access import AnyUser, Role, scope_of
from waystation.accounts.models import StaffRole

from .models import Job


def jobs_visible_to(user: AnyUser) -> QuerySet:
    """A job's progress (an import, a gift, an analysis): whoever started it, and union staff whose
    scope holds a unit the starter works for as union staff (so colleagues on the same unit, and
    the city, which holds every unit). A platform liaison's or a station keeper's role on a unit
    is not union work: a liaison on the food-delivery union sees none of that union's jobs."""
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

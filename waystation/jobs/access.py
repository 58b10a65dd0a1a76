"""Whose background jobs a staff account sees (the rule of accounts.access, applied to jobs)."""

from django.db.models import Q, QuerySet

from waystation.accounts.access import AnyUser, Role, scope_of
from waystation.accounts.models import StaffRole

from .models import Job


def jobs_visible_to(user: AnyUser) -> QuerySet:
    """A job's progress (an import, a gift, an analysis), always by the job's city: whoever
    started it, in a city they work in; union staff who see the job's city whole; and union staff
    of a district or industry union of that city, for the jobs of the union staff on the same unit
    (colleagues). A platform liaison's or a station keeper's role on a unit is not union work: a
    liaison on the food-delivery union sees none of that union's jobs."""
    scope = scope_of(user)
    if not scope.is_staff:
        return Job.objects.none()
    q = Q(created_by_id=user.pk, city__in=sorted(scope.home_cities))
    if scope.is_union_staff:
        q |= Q(city__in=sorted(scope.cities))
        unit_cities = sorted({city for city, _ in scope.districts | scope.industries})
        if unit_cities:
            colleagues = StaffRole.objects.filter(
                scope.q(city="unit__city", district="unit__district", industry="unit__industry"),
                role__in=[Role.UNION_STAFF, Role.CITY_ADMIN],
            ).values("user_id")
            q |= Q(city__in=unit_cities, created_by_id__in=colleagues)
    return Job.objects.filter(q)

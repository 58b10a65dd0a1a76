"""Who runs and sees planning analyses (the rule of accounts.access, applied to the planner)."""

from django.db.models import Q, QuerySet

from waystation.accounts.access import AnyUser, scope_of
from waystation.accounts.models import City

from .models import Analysis


def can_plan(user: AnyUser) -> bool:
    """The planning page (run an analysis, see one's own): union staff at any level."""
    return scope_of(user).is_union_staff


def analyses_visible_to(user: AnyUser) -> QuerySet:
    """Planning analyses: union staff see their own, in the cities they work in; staff who see a
    city whole see every analysis of that city."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return Analysis.objects.none()
    return Analysis.objects.filter(
        Q(city__in=sorted(scope.cities))
        | Q(city__in=sorted(scope.home_cities), created_by_id=user.pk)
    )


def cities_planned_by(user: AnyUser) -> QuerySet[City]:
    """The cities an account runs analyses for: those it works in."""
    if not can_plan(user):
        return City.objects.none()
    return City.objects.filter(pk__in=sorted(scope_of(user).home_cities))

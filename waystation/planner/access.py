"""Who runs and sees planning analyses (the rule of accounts.access, applied to the planner)."""

from django.db.models import QuerySet

from waystation.accounts.access import AnyUser, scope_of

from .models import Analysis


def can_plan(user: AnyUser) -> bool:
    """The planning page (run an analysis, see one's own): union staff at any level."""
    return scope_of(user).is_union_staff


def analyses_visible_to(user: AnyUser) -> QuerySet:
    """Planning analyses: union staff see their own; city-level staff see every analysis."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return Analysis.objects.none()
    if scope.city:
        return Analysis.objects.all()
    return Analysis.objects.filter(created_by_id=user.pk)

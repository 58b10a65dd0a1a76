"""Who writes the union's notices on the rider home page: union staff who see a city whole (the
city federation, its administrator, the province above it), for the cities they see whole."""

from django.db.models import QuerySet

from waystation.accounts.access import AnyUser, scope_of
from waystation.accounts.models import City

from .models import Notice


def can_edit_notices(user: AnyUser) -> bool:
    scope = scope_of(user)
    return scope.is_union_staff and scope.city


def notice_cities_of(user: AnyUser) -> QuerySet[City]:
    if not can_edit_notices(user):
        return City.objects.none()
    return City.objects.filter(pk__in=sorted(scope_of(user).cities)).defer("boundary")


def notices_editable_by(user: AnyUser) -> QuerySet[Notice]:
    if not can_edit_notices(user):
        return Notice.objects.none()
    return Notice.objects.filter(city__in=sorted(scope_of(user).cities))

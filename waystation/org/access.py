"""Who edits the organisation: a city administrator their city's rows (names of the city
federation, its districts and unions, the SMS signature); the national level — an operator's
superuser account — the vocabulary every city shares (industries, platforms)."""

from django.db.models import QuerySet

from waystation.accounts.access import AnyUser, scope_of
from waystation.accounts.models import City


def can_edit_vocabulary(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False)) and user.is_authenticated


def cities_administered_by(user: AnyUser) -> QuerySet[City]:
    if can_edit_vocabulary(user):
        return City.objects.all()
    return City.objects.filter(pk__in=sorted(scope_of(user).admin_cities))


def can_open_org(user: AnyUser) -> bool:
    return can_edit_vocabulary(user) or scope_of(user).admin


def can_administer_city(user: AnyUser, city: City) -> bool:
    return can_edit_vocabulary(user) or scope_of(user).administers(city.pk)

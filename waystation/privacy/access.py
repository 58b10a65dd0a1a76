"""Who reads which audit rows (the rule of accounts.access, applied to the audit log).

A city administrator reads the rows of the cities they administer, and nothing of another
city. A row of no city (a national act, such as a platform's API token) is read by whoever
administers every city there is: in a deployment of one city, its administrator, as before
cities were rows."""

from django.db.models import Q, QuerySet

from waystation.accounts.access import AnyUser, scope_of
from waystation.accounts.models import City

from .models import AuditLog


def audit_logs_visible_to(user: AnyUser | None) -> QuerySet[AuditLog]:
    scope = scope_of(user)
    if not scope.admin:
        return AuditLog.objects.none()
    cities = sorted(scope.admin_cities)
    # Decided here, in a query of its own, and not inside the rows' query: there an OR with an
    # EXISTS over cities makes PostgreSQL read the whole (city, at) index of every city's rows.
    if City.objects.exclude(pk__in=cities).exists():
        return AuditLog.objects.filter(city__in=cities)
    return AuditLog.objects.filter(Q(city__in=cities) | Q(city__isnull=True))

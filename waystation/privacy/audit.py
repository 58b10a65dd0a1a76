"""Writing the audit log: one function, called by every service that reveals, exports or changes
personal data.

What was done is an `AuditAction` member, never free text, so the audit page can label and filter
every row. The client address is the current request's (core/net.py), so no service takes a
`request` just to pass it here; background jobs record none.

Each row carries the city the act belongs to, which decides whose administrators read it
(privacy/access.py): the city passed (`city_id`, where the act belongs to another city than the
object's now, as a transfer out), else the object's (`obj.city_id`), else the actor's home city
when they work in one only; otherwise none: a national act (a platform's API token).
"""

from typing import Any

from django.contrib.auth.models import User

from waystation.accounts.access import scope_of
from waystation.core.net import current_client_ip

from .models import AuditAction, AuditLog

__all__ = ["AuditAction", "audit_record"]


def audit_record(
    *,
    action: AuditAction,
    actor: User | None = None,
    actor_label: str = "",
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    detail: dict | None = None,
    city_id: int | None = None,
) -> AuditLog:
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit action must be an AuditAction member, not {action!r}")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if city_id is None:
            city_id = getattr(obj, "city_id", None)
    user = actor if getattr(actor, "is_authenticated", False) else None
    if city_id is None and user is not None:
        homes = scope_of(user).home_cities
        city_id = next(iter(homes)) if len(homes) == 1 else None
    return AuditLog.objects.create(
        city_id=city_id,
        actor=user,
        actor_label=actor_label or (user.get_username() if user else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
        detail=detail or {},
        ip=current_client_ip(),
    )

"""Writing the audit log: one function, called by every service that reveals, exports or changes
personal data."""

from typing import Any

from django.http import HttpRequest

from waystation.core.net import client_ip

from .models import AuditLog


def audit_record(
    *,
    action: str,
    actor: Any = None,
    actor_label: str = "",
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    detail: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        actor=user,
        actor_label=actor_label or (user.get_username() if user else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
        detail=detail or {},
        ip=client_ip(request),
    )

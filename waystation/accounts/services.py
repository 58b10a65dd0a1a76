import secrets

from django.contrib.auth.models import User

from waystation.privacy import crypto
from waystation.privacy.audit import AuditAction, audit_record

from .models import Platform


# No actor check: only the platform_token management command issues tokens (run by operators).
def platform_token_issue(*, platform: Platform, actor: User | None = None) -> str:
    """A new API token for a platform; only its keyed hash is stored, the token is shown once.
    The platform's previous token stops working."""
    token = secrets.token_urlsafe(32)
    platform.api_token_hash = crypto.keyed_hash(token)
    platform.save(update_fields=["api_token_hash"])
    audit_record(action=AuditAction.AID_PLATFORM_TOKEN, actor=actor, obj=platform, detail={})
    return token

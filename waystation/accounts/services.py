import secrets

from django.contrib.auth.models import User
from django.db import transaction

from waystation.privacy import crypto
from waystation.privacy.audit import AuditAction, audit_record

from .models import OrgUnit, Platform
from .orgs import DISTRICTS, INDUSTRIES, PLATFORMS


# No actor: setup of the fixed organisation tree (the demo loaders, tests), idempotent.
@transaction.atomic
def org_tree_ensure() -> dict[str, OrgUnit]:
    """The real organisation tree of Changzhou, created if missing (idempotent).

    Returns units by code: "city", the district codes and the industry codes.
    """
    city, _ = OrgUnit.objects.get_or_create(
        code="city", defaults={"name": "常州市总工会", "kind": OrgUnit.Kind.CITY}
    )
    units = {"city": city}
    for code, name in DISTRICTS:
        units[code], _ = OrgUnit.objects.get_or_create(
            code=code,
            defaults={
                "name": f"{name}总工会" if code != "jingkai" else "经开区总工会",
                "kind": OrgUnit.Kind.DISTRICT,
                "district": code,
                "parent": city,
            },
        )
    for code, name in INDUSTRIES:
        units[code], _ = OrgUnit.objects.get_or_create(
            code=code,
            defaults={
                "name": f"常州市{name}行业工会",
                "kind": OrgUnit.Kind.INDUSTRY,
                "industry": code,
                "parent": city,
            },
        )
    for code, name, industry in PLATFORMS:
        Platform.objects.get_or_create(code=code, defaults={"name": name, "industry": industry})
    return units


def industry_union(industry: str) -> OrgUnit:
    return OrgUnit.objects.get(kind=OrgUnit.Kind.INDUSTRY, industry=industry)


# No actor check: only the platform_token management command issues tokens (run by operators).
def platform_token_issue(*, platform: Platform, actor: User | None = None) -> str:
    """A new API token for a platform; only its keyed hash is stored, the token is shown once.
    The platform's previous token stops working."""
    token = secrets.token_urlsafe(32)
    platform.api_token_hash = crypto.keyed_hash(token)
    platform.save(update_fields=["api_token_hash"])
    audit_record(action=AuditAction.AID_PLATFORM_TOKEN, actor=actor, obj=platform, detail={})
    return token

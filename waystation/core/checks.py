"""Deployment checks (`manage.py check --deploy`): refuse development shortcuts in production."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

DEV_SECRET_PREFIX = "dev-only-"  # noqa: S105 - a marker, not a secret


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    # The SMS backend is checked beside it, in waystation/members/checks.py.
    errors = []
    if settings.PII_DEV_DEFAULTS:
        errors.append(
            Error(
                "PII_KEYS and PII_HASH_KEY must be set: the development keys are public.",
                hint="Generate a key with `python -c 'from cryptography.fernet import Fernet;"
                " print(Fernet.generate_key().decode())'`.",
                id="waystation.E002",
            )
        )
    if settings.SECRET_KEY.startswith(DEV_SECRET_PREFIX):
        errors.append(Error("SECRET_KEY is the development key.", id="waystation.E003"))
    if settings.DEBUG:
        errors.append(Error("DEBUG must be off in production.", id="waystation.E004"))
    return errors

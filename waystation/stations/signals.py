"""Any change to a station or its exceptions marks the registry changed (index rebuild)."""

from typing import Any

from django.db.models.signals import post_delete, post_save


def _touch(sender: type, **kwargs: Any) -> None:
    from .services import registry_touch

    registry_touch()


def connect() -> None:
    from .models import Station, StationException

    for model in (Station, StationException):
        post_save.connect(_touch, sender=model, dispatch_uid=f"stations-touch-save-{model}")
        post_delete.connect(_touch, sender=model, dispatch_uid=f"stations-touch-del-{model}")

"""Any change to a station or its exceptions marks the registry changed (index rebuild); a change
to a service also drops this process's service catalogue (catalogue.py)."""

from typing import Any

from django.db.models.signals import post_delete, post_save


def _touch(sender: type, **kwargs: Any) -> None:
    from .services import registry_touch

    registry_touch()


def _service_changed(sender: type, **kwargs: Any) -> None:
    from .catalogue import catalogue_clear
    from .services import registry_touch

    catalogue_clear()
    registry_touch()  # the map layer lists service codes; other processes see the new stamp


def connect() -> None:
    from .models import Service, Station, StationException

    for model in (Station, StationException):
        post_save.connect(_touch, sender=model, dispatch_uid=f"stations-touch-save-{model}")
        post_delete.connect(_touch, sender=model, dispatch_uid=f"stations-touch-del-{model}")
    post_save.connect(_service_changed, sender=Service, dispatch_uid="stations-service-save")
    post_delete.connect(_service_changed, sender=Service, dispatch_uid="stations-service-del")

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _sqlite_triggers_off(using: str = "default", **kwargs: Any) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        from .tally_triggers import sqlite_drop

        sqlite_drop(connection)


def _sqlite_triggers_on(using: str = "default", **kwargs: Any) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        from .tally_triggers import sqlite_install

        sqlite_install(connection)


class Config(AppConfig):
    name = "waystation.members"
    label = "members"

    def ready(self) -> None:
        # registers the SMS backend deploy check and the members.roster_import job handler
        from . import checks, home, roster  # noqa: F401

        home.register()  # navigation, home tiles and workbench
        # SQLite loses a table's triggers when a migration rebuilds it: the rollups' triggers
        # are taken away before a migrate and made again after it (members.tally_triggers)
        pre_migrate.connect(_sqlite_triggers_off, sender=self, dispatch_uid="members-tallies-off")
        post_migrate.connect(_sqlite_triggers_on, sender=self, dispatch_uid="members-tallies-on")

from django.apps import AppConfig


class Config(AppConfig):
    """The organisation's rows as their admins edit them: a city's districts and unions, and the
    national vocabulary (industries, platforms)."""

    name = "waystation.org"
    label = "org"

    def ready(self) -> None:
        from waystation.core import nav

        from .access import can_open_org

        nav.register("组织与词表", "org:index", can_open_org)

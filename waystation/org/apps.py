from django.apps import AppConfig


class Config(AppConfig):
    """The organisation's rows as their admins edit them: a city's districts and unions, and the
    national vocabulary (industries, platforms)."""

    name = "waystation.org"
    label = "org"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from waystation.core import nav

        from .access import can_open_org

        nav.register(_("组织与词表"), "org:index", can_open_org, group=nav.SYSTEM)

from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.core"
    label = "core"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from waystation.accounts.access import can_read_audit_log

        from . import checks, nav  # noqa: F401 - checks registers the deploy checks
        from .access import can_edit_notices

        # core's apps.py runs first (INSTALLED_APPS): its items lead the 系统 group
        nav.register(_("通知公告"), "core:notices", can_edit_notices, group=nav.SYSTEM)
        nav.register(_("审计日志"), "core:audit_log", can_read_audit_log, group=nav.SYSTEM)

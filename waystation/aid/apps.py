from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.aid"
    label = "aid"
    verbose_name = "互助保障"

    def ready(self) -> None:
        from waystation.core import nav
        from waystation.members import history

        from . import history as member_history
        from . import jobs  # noqa: F401 - registers the job handlers
        from .access import can_approve_claims, can_see_claims, can_work_on_aid

        nav.register("互助理赔", "aid:staff_claims", can_see_claims)
        nav.register("互助付款", "aid:payouts", can_approve_claims)
        nav.register("互助参保", "aid:plans", can_work_on_aid)
        nav.register("慰问", "aid:condolences", can_work_on_aid)
        nav.register("互助统计", "aid:stats", can_work_on_aid)
        history.register(member_history.member_events)

from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.aid"
    label = "aid"
    verbose_name = "互助保障"

    def ready(self) -> None:
        from waystation.core import nav

        from . import jobs  # noqa: F401 - registers the job handlers

        nav.register(
            "互助理赔", "aid:staff_claims", lambda s: s.is_union_staff or bool(s.platforms)
        )
        nav.register("互助付款", "aid:payouts", lambda s: s.is_union_staff and s.city)
        nav.register("互助参保", "aid:plans", lambda s: s.is_union_staff)
        nav.register("慰问", "aid:condolences", lambda s: s.is_union_staff)
        nav.register("互助统计", "aid:stats", lambda s: s.is_union_staff)

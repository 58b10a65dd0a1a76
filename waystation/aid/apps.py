from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.aid"
    label = "aid"
    verbose_name = "互助保障"

    def ready(self) -> None:
        from waystation.members import history

        from . import history as member_history
        from . import home, jobs  # noqa: F401 - jobs registers the job handlers

        home.register()  # navigation, home tile and workbench
        history.register(member_history.member_events)

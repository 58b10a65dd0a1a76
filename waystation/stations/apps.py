from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.stations"
    label = "stations"
    verbose_name = "驿站"

    def ready(self) -> None:
        from waystation.members import history

        from . import history as member_history
        from . import home, jobs, signals  # noqa: F401 - jobs registers the job handlers

        signals.connect()
        home.register()  # navigation, home tile and workbench
        history.register(member_history.member_events)

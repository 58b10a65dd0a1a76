from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.stations"
    label = "stations"
    verbose_name = "驿站"

    def ready(self) -> None:
        from . import home, jobs, signals  # noqa: F401 - jobs registers the job handlers

        signals.connect()
        home.register()  # navigation, home tile and workbench

from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.aid"
    label = "aid"
    verbose_name = "互助保障"

    def ready(self) -> None:
        from . import home, jobs  # noqa: F401 - jobs registers the job handlers

        home.register()  # navigation, home tile and workbench

from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.aid"
    label = "aid"
    verbose_name = "互助保障"

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - registers the job handlers

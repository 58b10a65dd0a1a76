from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.core"
    label = "core"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deploy checks

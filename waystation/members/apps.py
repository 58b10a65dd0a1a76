from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.members"
    label = "members"

    def ready(self) -> None:
        from . import roster  # noqa: F401 - registers the members.roster_import job handler

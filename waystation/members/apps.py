from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.members"
    label = "members"

    def ready(self) -> None:
        # registers the SMS backend deploy check and the members.roster_import job handler
        from . import checks, home, roster  # noqa: F401

        home.register()  # navigation, home tiles and workbench

from django.apps import AppConfig


class Config(AppConfig):
    """The staff page of the planning package: runs analyses as background jobs."""

    name = "waystation.planner"
    label = "planner"

    def ready(self) -> None:
        from . import home, jobs  # noqa: F401 - jobs registers the job handler

        home.register()  # navigation and workbench

from django.apps import AppConfig


class Config(AppConfig):
    """The staff page of the planning package: runs analyses as background jobs."""

    name = "waystation.planner"
    label = "planner"

    def ready(self) -> None:
        from waystation.core import nav

        from . import jobs  # noqa: F401 - registers the job handler
        from .access import can_plan

        nav.register("选址规划", "planner:index", can_plan)

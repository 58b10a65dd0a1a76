"""What the planner contributes to the staff navigation (规划) and the workbench: the account's
own analyses still running (the planning page lists them)."""

from typing import Any

from django.utils.translation import gettext_lazy

from waystation.core import home, nav
from waystation.jobs.models import Job

from .access import analyses_visible_to, can_plan


def analyses_running(user: Any) -> int:
    return (
        analyses_visible_to(user)
        .filter(created_by_id=user.pk, job__status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        .count()
    )


def register() -> None:
    nav.register(gettext_lazy("选址规划"), "planner:index", can_plan, group=nav.PLANNING)
    home.register_todo(
        home.ToDo(
            "planner.running",
            gettext_lazy("我的规划分析进行中"),
            "planner:index",
            count=analyses_running,
            visible=can_plan,
            order=60,
        )
    )

from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.stations"
    label = "stations"
    verbose_name = "驿站"

    def ready(self) -> None:
        from waystation.core import nav
        from waystation.members import history

        from . import history as member_history
        from . import jobs, signals  # noqa: F401 - jobs registers the job handlers
        from .access import can_see_stations

        signals.connect()
        nav.register("驿站", "stations:staff_list", can_see_stations)
        nav.register("驿站地图", "stations:staff_map", can_see_stations)
        nav.register("故障报告", "stations:staff_reports", can_see_stations)
        history.register(member_history.member_events)

from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.stations"
    label = "stations"
    verbose_name = "驿站"

    def ready(self) -> None:
        from waystation.core import nav

        from . import jobs, signals  # noqa: F401 - jobs registers the job handlers

        signals.connect()
        nav.register("驿站", "stations:staff_list", _sees_stations)
        nav.register("故障报告", "stations:staff_reports", _sees_stations)


def _sees_stations(scope) -> bool:
    return scope.is_union_staff or scope.has("station_keeper")

"""What stations contributes to the rider's home (找驿站, with the member's own fault reports),
the staff navigation (驿站) and the workbench: fault reports waiting (the overdue ones counted
apart), the stations of the account's scope, and for a station keeper the check-ins of the
stations they keep today.

A report is overdue when it is not resolved after `settings.STATION_REPORT_OVERDUE_DAYS`
(FaultReport.overdue_before): the same rule the report list marks and sorts by."""

from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.accounts.access import Role, scope_of
from waystation.core import home, nav

from .access import can_see_stations, stations_visible_to
from .models import FaultReport, Station, Visit
from .selectors import report_counts

R = FaultReport.Status


def reports_waiting(user: Any) -> int:
    return report_counts(user)[0]


def reports_overdue(user: Any) -> int:
    return report_counts(user)[1]


def stations_open(user: Any) -> int:
    return stations_visible_to(user).filter(status=Station.Status.OPEN).count()


def stations_all(user: Any) -> int:
    return stations_visible_to(user).count()


def _is_keeper(user: Any) -> bool:
    return scope_of(user).has(Role.STATION_KEEPER)


def checkins_today(user: Any) -> int:
    """Check-ins today (Asia/Shanghai) at the stations the account sees (a keeper: keeps)."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    cities = sorted(scope_of(user).home_cities)
    return Visit.objects.filter(
        city__in=cities, station__in=stations_visible_to(user), at__gte=start
    ).count()


def my_reports_state(member: Any) -> str | None:
    """The member's own fault reports still being handled, as one line (None if none)."""
    n = (
        FaultReport.objects.filter(member=member, city_id=member.city_id)
        .exclude(status=R.RESOLVED)
        .count()
    )
    if not n:
        return None
    return _("我报告的故障 %(n)d 件处理中") % {"n": n}


def register() -> None:
    group = nav.STATIONS
    nav.register(gettext_lazy("驿站"), "stations:staff_list", can_see_stations, group=group)
    nav.register(gettext_lazy("驿站地图"), "stations:staff_map", can_see_stations, group=group)
    nav.register(gettext_lazy("故障报告"), "stations:staff_reports", can_see_stations, group=group)
    home.register_tile(
        home.Tile(
            "stations.find",
            gettext_lazy("找驿站"),
            "map-pin",
            "stations:map",
            20,
            state=my_reports_state,
        )
    )
    home.register_todo(
        home.ToDo(
            "stations.reports",
            gettext_lazy("故障报告待处理"),
            "stations:staff_reports",
            count=reports_waiting,
            visible=can_see_stations,
            overdue=reports_overdue,
            order=20,
        )
    )
    home.register_figure(
        home.Figure(
            "stations.open",
            gettext_lazy("开放中的驿站"),
            "stations:staff_list",
            count=stations_open,
            visible=can_see_stations,
            order=20,
            query="status=open",
        )
    )
    home.register_figure(
        home.Figure(
            "stations.all",
            gettext_lazy("驿站（含规划、建设、暂停、关闭）"),
            "stations:staff_list",
            count=stations_all,
            visible=can_see_stations,
            order=21,
        )
    )
    home.register_figure(
        home.Figure(
            "stations.checkins_today",
            gettext_lazy("今日签到"),
            "stations:staff_list",
            count=checkins_today,
            visible=_is_keeper,
            order=22,
        )
    )

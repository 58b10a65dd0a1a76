"""How the audit log names stations, their photos and fault reports (core/audit_objects.py)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from waystation.accounts.access import AnyUser
from waystation.core import audit_objects

from .access import reports_visible_to, stations_visible_to
from .models import FaultReport, Station, StationPhoto


def _photos_visible_to(user: AnyUser) -> QuerySet[StationPhoto]:
    return StationPhoto.objects.filter(station__in=stations_visible_to(user))


STATION = "stations:staff_detail"

audit_objects.register(
    "stations.station", Station, name=_("驿站"), number_label=_("驿站编号"), number="code",
    visible=stations_visible_to, url_name=STATION,
)  # fmt: skip
audit_objects.register(
    "stations.stationphoto", StationPhoto, name=_("驿站照片"), number_label=_("驿站编号"),
    number="station__code", visible=_photos_visible_to, url_name=STATION,
)  # fmt: skip
audit_objects.register(
    "stations.faultreport", FaultReport, name=_("问题反馈"), number_label=_("反馈编号"),
    number="pk", visible=reports_visible_to, url_name="stations:staff_report",
)  # fmt: skip

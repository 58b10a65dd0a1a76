"""The station registry: stations, their hours exceptions, photos, visits and fault reports, and
the services stations offer.

A station belongs to one city (the tenant), the city of its district, for good: its exceptions,
photos, visits and fault reports carry that city too (set in `save()` when missing; bulk writes
set it themselves). Services are national: every city's stations draw on the same rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .hours import HoursException, OpenState, Schedule, parse_day, parse_week

# Station.services_mask is a PositiveIntegerField (a signed 32-bit column): bits 0 … 30.
MAX_SERVICE_BIT = 30


class Service(models.Model):
    """A service stations offer (取暖, 饮水, 法律援助 …): national reference rows, one bit each in
    Station.services_mask, so that filters work the same on SQLite, PostgreSQL and numpy. A bit
    keeps its meaning for good: a service is retired by `active=False`, never renumbered, and its
    bit is never given to another service. Lookups go through catalogue.py (cached per process)."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=30)
    bit = models.PositiveSmallIntegerField(
        unique=True, validators=[MaxValueValidator(MAX_SERVICE_BIT)]
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "bit"]
        constraints = [
            models.CheckConstraint(
                name="service_bit_range", condition=models.Q(bit__lte=MAX_SERVICE_BIT)
            )
        ]

    def __str__(self) -> str:
        return self.name


class StationQuerySet(models.QuerySet):
    def with_service(self, code: str) -> StationQuerySet:
        """Stations offering the service `code` (KeyError for a code not in the catalogue)."""
        from .catalogue import catalogue

        bit = catalogue().bits[code]
        return self.annotate(_service_bit=models.F("services_mask").bitand(bit)).filter(
            _service_bit=bit
        )


class Station(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "规划中"
        BUILDING = "building", "建设中"
        OPEN = "open", "开放"
        TEMP_CLOSED = "temp_closed", "暂停开放"
        CLOSED = "closed", "已关闭"

    class Host(models.TextChoices):
        STREET = "street", "街道（乡镇）服务中心"
        COMMUNITY = "community", "社区服务中心"
        MALL = "mall", "商场"
        TELECOM = "telecom", "营业厅"
        BANK = "bank", "银行网点"
        LOGISTICS = "logistics", "物流园"
        FUEL = "fuel", "加油站"
        UNION = "union", "工会服务站"
        ENTERPRISE = "enterprise", "企业"
        OTHER = "other", "其他"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    address = models.CharField(max_length=200, blank=True)
    city = models.ForeignKey("accounts.City", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "accounts.District",
        to_field="code",
        db_column="district",
        on_delete=models.PROTECT,
        related_name="+",
    )
    # WGS-84 degrees; GCJ-02 and BD-09 are converted on input and output.
    lon = models.FloatField()
    lat = models.FloatField()
    host = models.CharField(max_length=20, choices=Host.choices, default=Host.OTHER)
    weekly_hours = models.JSONField(default=list, blank=True)  # see hours.py
    is_24h = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    capacity = models.PositiveSmallIntegerField(default=0)
    services_mask = models.PositiveIntegerField(default=0)
    contact_name = models.CharField(max_length=50, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)  # the station's public phone
    is_model = models.BooleanField(default=False)  # 示范驿站
    project_year = models.PositiveSmallIntegerField(null=True, blank=True)  # built or upgraded
    keepers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="kept_stations"
    )
    is_demo = models.BooleanField(default=False)
    # The version of the signed code on the check-in poster (codes.py): raising it retires the
    # posters printed before, e.g. when a photo of one circulates.
    poster_version = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["city", "district"]),  # the staff list of district staff
            models.Index(fields=["city", "status"]),  # counts by status on the staff list
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None and self.district_id:
            # the district's city, without loading its boundary
            from waystation.accounts.models import District

            self.city_id = District.objects.values_list("city_id", flat=True).get(
                code=self.district_id
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("stations:detail", args=[self.code])

    @property
    def services(self) -> list[str]:
        from .catalogue import catalogue

        return catalogue().codes(self.services_mask)

    @property
    def service_names(self) -> list[str]:
        from .catalogue import catalogue

        return catalogue().names_of(self.services_mask)

    def schedule(self, exceptions: list[StationException] | None = None) -> Schedule:
        excs = self.exceptions.all() if exceptions is None else exceptions
        return Schedule(
            parse_week(self.weekly_hours) if self.weekly_hours else ((),) * 7,
            all_day=self.is_24h,
            exceptions=tuple(e.as_hours_exception() for e in excs),
        )

    def is_open_at(self, dt: datetime) -> OpenState:
        """Open or closed at `dt` (any time zone; hours are Asia/Shanghai) and until when."""
        if self.status != self.Status.OPEN:
            return OpenState(False, None, note=self.get_status_display())
        return self.schedule().state_at(dt)


class OfStation(models.Model):
    """A row that belongs to a station, and so to the station's city."""

    station: models.ForeignKey[Station, Station]
    city = models.ForeignKey("accounts.City", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None and self.station_id is not None:
            if self._meta.get_field("station").is_cached(self):
                self.city_id = self.station.city_id
            else:
                self.city_id = Station.objects.values_list("city_id", flat=True).get(
                    pk=self.station_id
                )
        super().save(*args, **kwargs)


class StationException(OfStation):
    """Dates on which the weekly hours do not apply: a holiday, a temporary closure, other hours."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="exceptions")
    start_date = models.DateField()
    end_date = models.DateField()
    closed = models.BooleanField(default=True)
    hours = models.JSONField(default=list, blank=True)  # one day's intervals, if not closed
    reason = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["station", "end_date"])]

    def __str__(self) -> str:
        return f"{self.station_id} {self.start_date}–{self.end_date}"

    def as_hours_exception(self) -> HoursException:
        return HoursException(
            start=self.start_date,
            end=self.end_date,
            closed=self.closed,
            hours=() if self.closed else parse_day(self.hours),
            reason=self.reason,
        )


class StationPhoto(OfStation):
    """A photo of a station (public), stored under PRIVATE_MEDIA_ROOT with a server-made name."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    stored_name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=30)
    caption = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.stored_name


class Visit(OfStation):
    """A check-in at a station, a member's (card) or anonymous. Only check-ins that show the
    person was at the station are recorded (checkins.checkin_record): the poster's signed code,
    or a shared location near the station."""

    class Channel(models.TextChoices):
        QR = "qr", "扫码"
        API = "api", "接口"
        DEMO = "demo", "演示"

    class Proof(models.TextChoices):
        CODE = "code", "驿站二维码"
        LOCATION = "location", "现场定位"

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="visits")
    at = models.DateTimeField(default=timezone.now)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    industry = models.ForeignKey(
        "accounts.Industry",
        to_field="code",
        db_column="industry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # keyed hash of the browser session of an anonymous visitor (de-duplication only)
    visitor_key = models.CharField(max_length=64, blank=True)
    # keyed hash of an anonymous visitor's IP address (the per-IP limit only)
    ip_key = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.QR)
    # how presence was shown; blank on visits recorded before check-ins were verified
    proof = models.CharField(max_length=8, choices=Proof.choices, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["station", "at"]),
            models.Index(fields=["member", "station", "at"]),
            models.Index(fields=["city", "at"]),  # a city's visits over a period (targets)
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.at:%Y-%m-%d %H:%M}"


class FaultReport(OfStation):
    """A fault or feedback about a station: open → acknowledged → resolved. Staff may assign it
    to a person (one who may keep the station) and reply to the reporter: the reply shows on the
    member's "我的反馈", and goes by SMS to a phone the reporter left (kept encrypted, for that
    alone). Unresolved past settings.STATION_REPORT_OVERDUE_DAYS it is overdue."""

    class Category(models.TextChoices):
        WATER = "water", "饮水机故障"
        CLIMATE = "climate", "空调/取暖不工作"
        CLOSED = "closed", "开放时间未开门"
        POWER = "power", "充电设施故障"
        HYGIENE = "hygiene", "卫生问题"
        FACILITY = "facility", "设施损坏"
        FEEDBACK = "feedback", "意见建议"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        ACKNOWLEDGED = "acknowledged", "已受理"
        RESOLVED = "resolved", "已解决"

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="reports")
    category = models.CharField(max_length=12, choices=Category.choices)
    text = models.TextField(max_length=1000, blank=True)
    photo_name = models.CharField(max_length=100, blank=True)  # server-generated
    photo_type = models.CharField(max_length=30, blank=True)
    status = models.CharField(
        max_length=14, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=300, blank=True)  # staff only
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_station_reports",
    )
    reply = models.TextField(max_length=500, blank=True)  # to the reporter
    replied_at = models.DateTimeField(null=True, blank=True)
    # a phone the reporter left for the reply by SMS (encrypted; masked for display)
    reporter_phone_enc = models.TextField(blank=True)
    reporter_phone_masked = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["city", "status", "created_at"]),  # the staff list
            models.Index(fields=["member", "created_at"]),  # a member's own reports
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"

    @staticmethod
    def overdue_before(now: datetime | None = None) -> datetime:
        """Reports filed before this moment and not resolved are overdue."""
        days = settings.STATION_REPORT_OVERDUE_DAYS
        return (now or timezone.now()) - timedelta(days=days)

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.status != self.Status.RESOLVED and self.created_at < self.overdue_before(now)

    def age(self, now: datetime | None = None) -> timedelta:
        end = self.resolved_at or now or timezone.now()
        return end - self.created_at

    @property
    def time_to_resolve(self) -> timedelta | None:
        return self.resolved_at - self.created_at if self.resolved_at else None


class RegistryVersion(models.Model):
    """One row whose stamp changes whenever stations or their hours change: the nearest-station
    index compares it (one primary-key read) to know when to rebuild. A random stamp, not a
    counter, so that a rolled-back change can never be mistaken for a later one."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    stamp = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"stations registry {self.stamp}"

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from waystation.accounts.models import City, District, Industry, OrgUnit, Platform
from waystation.privacy import crypto

from .validators import name_search_key


def name_hash(name: str) -> str:
    """The keyed hash a member is found by name with (the lookup key of the name)."""
    return crypto.keyed_hash(name_search_key(name))


class Campaign(models.Model):
    """A poster/QR drive of one city; every scan-to-join is attributed to one, and the member
    joins in the campaign's city."""

    class Owner(models.TextChoices):
        UNION = "union", "工会"
        STATION = "station", "驿站"
        EVENT = "event", "活动"
        STREET = "street", "街头点位"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    owner_kind = models.CharField(max_length=10, choices=Owner.choices, default=Owner.UNION)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="campaigns")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")  # its unit's
    place = models.CharField(max_length=200, blank=True)  # the station, event or street point
    active = models.BooleanField(default=True)
    # The city's standing way to join: offered on the page of an ended or unknown campaign link
    # (posters stay on walls for years). At most one per city; set with
    # `manage.py campaign_default`.
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["city"],
                condition=models.Q(is_default=True),
                name="one_default_campaign_per_city",
            )
        ]
        indexes = [models.Index(fields=["city", "created_at"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None and self.unit_id is not None:
            self.city_id = OrgUnit.objects.values_list("city_id", flat=True).get(pk=self.unit_id)
        super().save(*args, **kwargs)

    def get_join_url(self) -> str:
        return reverse("members:join", args=[self.code])


class Member(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        LAPSED = "lapsed", "失效"
        WITHDRAWN = "withdrawn", "已退会"

    class Channel(models.TextChoices):
        SCAN = "scan", "扫码入会"
        IMPORT = "import", "名册导入"
        STAFF = "staff", "工作人员录入"
        API = "api", "平台接口"

    member_number = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=50)
    # The keyed hash of the name as it is looked up (validators.name_search_key): staff find a
    # member by name with no name in a URL or a log, as they find one by phone or ID number.
    name_hash = models.CharField(max_length=64, db_index=True, default="")
    # Personal data: encrypted at rest; a keyed hash for uniqueness and exact search; the mask
    # kept beside it so that lists never decrypt.
    id_number_enc = models.TextField()
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(max_length=24)
    phone_enc = models.TextField()
    phone_hash = models.CharField(max_length=64, db_index=True)
    phone_masked = models.CharField(max_length=16)
    gender = models.CharField(max_length=1, choices=[("M", "男"), ("F", "女")])
    birth_date = models.DateField()
    industry = models.ForeignKey(
        Industry,
        to_field="code",
        db_column="industry",
        on_delete=models.PROTECT,
        related_name="+",
    )
    platforms = models.ManyToManyField(Platform, blank=True, related_name="members")
    # A member belongs to one city at a time (moving is a transfer, MemberTransfer); the work
    # district is one of that city's. The ID number stays unique nationally (its keyed hash).
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    work_district = models.ForeignKey(
        District,
        to_field="code",
        db_column="work_district",
        on_delete=models.PROTECT,
        related_name="+",
    )
    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="members")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, db_index=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    joined_at = models.DateTimeField(default=timezone.now, db_index=True)
    consent_version = models.CharField(max_length=20, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=200, blank=True)
    import_batch = models.ForeignKey(
        "members.RosterImport", null=True, blank=True, on_delete=models.SET_NULL
    )
    # the member's own setting: no text message at each step of a mutual-aid claim (aid/notify.py)
    aid_sms_opt_out = models.BooleanField(default=False)

    class Meta:
        ordering = ["-joined_at", "-id"]
        indexes = [
            models.Index(fields=["union", "status"]),
            # the statistics page counts a city's active members by union, district, industry
            # and channel: read from this index alone (an index-only scan over the city's
            # entries), not from heap pages scattered among every other city's rows
            models.Index(
                fields=["city", "status"],
                include=["id", "union", "work_district", "industry", "channel"],
                name="members_city_status_counts",
            ),
            models.Index(fields=["city", "joined_at"]),
            # district staff's list: its count from this index alone, its page in joined order
            # (PostgreSQL takes city and district for independent and misjudges a bitmap AND)
            models.Index(
                fields=["city", "work_district", "joined_at"], name="members_city_district_joined"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_number} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_hash = name_hash(self.name)
        if self.city_id is None and self.work_district_id:  # the city of the work district
            self.city_id = District.objects.values_list("city_id", flat=True).get(
                code=self.work_district_id
            )
        super().save(*args, **kwargs)

    @property
    def id_number(self) -> str:
        """Decrypted. Only for services that audit (reveal, bank export), never templates."""
        return crypto.decrypt(self.id_number_enc)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc)

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class SmsCode(models.Model):
    """A one-time code sent to a phone. Stored hashed; expires; used once."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["phone_hash", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"sms {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class SmsGuess(models.Model):
    """A wrong guess at a phone's SMS code, with the address it came from: wrong guesses are
    limited per phone *and address*, so a stranger guessing cannot lock out the member."""

    phone_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["phone_hash", "ip", "created_at"])]

    def __str__(self) -> str:
        return f"wrong sms guess {self.created_at:%Y-%m-%d %H:%M}"


class RosterImport(models.Model):
    """An uploaded roster (.xlsx) and its validation and commit."""

    class Status(models.TextChoices):
        VALIDATING = "validating", "校验中"  # uploaded; the validation job reads it
        VALIDATED = "validated", "已校验"
        COMMITTING = "committing", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"  # the file could not be imported at all: `error` says why
        EXPIRED = "expired", "已过期"  # never committed; its staged rows were purged

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")  # its unit's
    filename = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    stored_name = models.CharField(max_length=100)  # server-generated, under PRIVATE_MEDIA_ROOT
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALIDATED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    pending_rows = models.PositiveIntegerField(default=0)  # valid and new: what the commit writes
    errors_preview = models.JSONField(default=list, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)
    committed_through = models.PositiveIntegerField(default=0)  # rows done: resume point
    error = models.CharField(max_length=500, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["city", "created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.city_id is None and self.unit_id is not None:
            self.city_id = OrgUnit.objects.values_list("city_id", flat=True).get(pk=self.unit_id)
        super().save(*args, **kwargs)


class MemberTransfer(models.Model):
    """A member's move from one union to another, in the same city or to another city: the
    member's history (who moved them, when, why, from where to where). Written by
    `member_transfer` only, with the audit row."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    from_city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    from_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    from_district = models.ForeignKey(
        District, to_field="code", on_delete=models.PROTECT, related_name="+"
    )
    to_city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    to_district = models.ForeignKey(
        District, to_field="code", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_unit_id} → {self.to_unit_id}"

    @property
    def moved_city(self) -> bool:
        return self.from_city_id != self.to_city_id


# Rollups of the member table (waystation.members.tallies): what the statistics page, the
# dashboards and the staff home count, without scanning members. Database triggers on the member
# table and its platform table keep them equal to a direct count on every write, bulk or not
# (migration 0011); `manage.py tallies --check` compares, `--rebuild` recounts. A row whose count
# fell to 0 stays. The keys are plain columns (no foreign-key checks on a hot upsert path); the
# ForeignKeys below only name them for joins.


def _key(model: type[models.Model], **kw: Any) -> models.ForeignKey:
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        **kw,
    )


class MemberTally(models.Model):
    """Members now, by city, union, work district, industry, channel and status."""

    city = _key(City)
    union = _key(OrgUnit)
    work_district = _key(District, to_field="code", db_column="work_district")
    industry = _key(Industry, to_field="code", db_column="industry")
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=10)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["city", "union", "work_district", "industry", "channel", "status"],
                name="members_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_district_id} {self.industry_id} {self.channel} {self.status}: {self.n}"


class MemberPlatformTally(models.Model):
    """Members now, by city, work district, industry, status and platform (a member on two
    platforms counts on each)."""

    city = _key(City)
    work_district = _key(District, to_field="code", db_column="work_district")
    industry = _key(Industry, to_field="code", db_column="industry")
    status = models.CharField(max_length=10)
    platform = _key(Platform)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["city", "work_district", "industry", "status", "platform"],
                name="members_platform_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_district_id} {self.platform_id} {self.status}: {self.n}"


class MemberJoinTally(models.Model):
    """Members now, by city, work district, industry and the week they joined (its Monday in the
    display zone, settings.TIME_ZONE), whatever their status. Weeks, not days: a city's 4.7 years
    of joins are 11,938 rows so (43,859 by day), and the charts show weeks."""

    city = _key(City)
    week = models.DateField()
    work_district = _key(District, to_field="code", db_column="work_district")
    industry = _key(Industry, to_field="code", db_column="industry")
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["city", "week", "work_district", "industry"],
                name="members_join_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.work_district_id} {self.industry_id}: {self.n}"


class RosterAlias(models.Model):
    """A shorthand offices type in a roster for an industry, a district or a platform, and the
    name (or code) it means: "外卖" → 外卖送餐, "高新区" → 新北区. Rows, so that a city's own
    shorthands are data: a district's alias is its city's (by adcode), an industry's or a
    platform's is every city's unless it names one. What it means is looked up as staff's own
    typing is (roster/columns.py), so it may name a row by its name or its code."""

    class Kind(models.TextChoices):
        INDUSTRY = "industry", "行业"
        DISTRICT = "district", "工作区域"
        PLATFORM = "platform", "平台"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    city_adcode = models.CharField(max_length=6, blank=True)  # blank: every city
    alias = models.CharField(max_length=50)
    means = models.CharField(max_length=50)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "city_adcode", "alias"], name="roster_alias_once_per_city"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alias} → {self.means}"

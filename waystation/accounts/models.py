"""The organisation as data: provinces, cities (the tenants), districts, industries, platforms,
and the unions (org units) staff hold roles on.

A city federation (常州市总工会) is the tenant: every row that belongs to a city carries it. Its
districts are county-level units with an adcode and a boundary (or a zone inside one, such as
常州's 经开区, which has a union of its own but lies inside 武进区). Industries and platforms are
national vocabulary shared by every city (a city's industry union is an OrgUnit on an Industry).
A province federation sits above its cities. No name of a city, district or industry is code:
they are rows, loaded by `manage.py add_city` (and by the demo and the migration of an existing
deployment).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """A province-level federation (江苏省总工会): its staff see the cities below it."""

    adcode = models.CharField(max_length=6, unique=True)
    name = models.CharField(max_length=50)  # 江苏省
    union_name = models.CharField(max_length=100)  # 江苏省总工会
    boundary = models.JSONField(null=True, blank=True, editable=False)  # GCJ-02 geometry

    class Meta:
        ordering = ["adcode"]

    def __str__(self) -> str:
        return self.union_name


class City(models.Model):
    """A city federation: the tenant."""

    adcode = models.CharField(max_length=6, unique=True)
    name = models.CharField(max_length=50)  # 常州市
    union_name = models.CharField(max_length=100)  # 常州市总工会
    # The registered SMS signature (【…】) the city's texts carry.
    sms_signature = models.CharField(max_length=20)
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, related_name="cities"
    )
    boundary = models.JSONField(null=True, blank=True, editable=False)  # GCJ-02 geometry
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["adcode"]
        verbose_name_plural = "cities"

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A district federation's area. `code` is what rows carry (unique across cities)."""

    code = models.SlugField(max_length=20, unique=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(max_length=50)  # 天宁区
    # The county-level unit that holds the district's area (its own, or the one a zone lies in).
    adcode = models.CharField(max_length=6)
    # GCJ-02 GeoJSON geometry; None for a zone without a polygon of its own (it lies in `adcode`).
    boundary = models.JSONField(null=True, blank=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["city", "order", "code"]

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """An industry of new-employment-form work (快递, 外卖送餐 …): national vocabulary."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=50)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name_plural = "industries"

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """A union: a province or city federation, a district federation or an industry union."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("省总工会")
        CITY = "city", _("市总工会")
        DISTRICT = "district", _("区总工会")
        INDUSTRY = "industry", _("行业工会")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Every unit below a province belongs to one city; a province unit to its province.
    city = models.ForeignKey(
        City, null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    district = models.ForeignKey(
        District,
        to_field="code",
        db_column="district",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    industry = models.ForeignKey(
        Industry,
        to_field="code",
        db_column="industry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                name="orgunit_kind_fields",
                condition=(
                    models.Q(
                        kind="province",
                        province__isnull=False,
                        city__isnull=True,
                        district__isnull=True,
                        industry__isnull=True,
                    )
                    | models.Q(
                        kind="city",
                        city__isnull=False,
                        district__isnull=True,
                        industry__isnull=True,
                    )
                    | models.Q(
                        kind="district",
                        city__isnull=False,
                        district__isnull=False,
                        industry__isnull=True,
                    )
                    | models.Q(
                        kind="industry",
                        city__isnull=False,
                        district__isnull=True,
                        industry__isnull=False,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Platform(models.Model):
    """A platform company (美团, 饿了么 …): its workers, its liaison, its API token."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=50)
    industry = models.ForeignKey(
        Industry,
        to_field="code",
        db_column="industry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="platforms",
    )
    # keyed hash of the platform's API token (the token itself is shown once, when issued)
    api_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """A staff account's role on an org unit. One account may hold several."""

    class Role(models.TextChoices):
        CITY_ADMIN = "city_admin", _("市级管理员")
        UNION_STAFF = "union_staff", _("工会工作人员")
        STATION_KEEPER = "station_keeper", _("驿站管理员")
        LAWYER = "lawyer", _("公益律师")
        PLATFORM_LIAISON = "platform_liaison", _("平台联络员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="roles")
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="staffrole_unique"),
            models.CheckConstraint(
                name="staffrole_liaison_has_platform",
                condition=~models.Q(role="platform_liaison") | models.Q(platform__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

from django.conf import settings
from django.db import models

from .orgs import DISTRICTS, INDUSTRIES


class OrgUnit(models.Model):
    """A union: the city federation, a district federation or an industry union."""

    class Kind(models.TextChoices):
        CITY = "city", "市总工会"
        DISTRICT = "district", "区总工会"
        INDUSTRY = "industry", "行业工会"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    district = models.CharField(max_length=20, choices=DISTRICTS, blank=True)
    industry = models.CharField(max_length=20, choices=INDUSTRIES, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                name="orgunit_kind_fields",
                condition=(
                    models.Q(kind="city", district="", industry="")
                    | models.Q(kind="district", industry="") & ~models.Q(district="")
                    | models.Q(kind="industry", district="") & ~models.Q(industry="")
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Platform(models.Model):
    """A platform company (美团, 饿了么 …): its workers, its liaison, its API token."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=50)
    industry = models.CharField(max_length=20, choices=INDUSTRIES, blank=True)
    # keyed hash of the platform's API token (the token itself is shown once, when issued)
    api_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """A staff account's role on an org unit. One account may hold several."""

    class Role(models.TextChoices):
        CITY_ADMIN = "city_admin", "市级管理员"
        UNION_STAFF = "union_staff", "工会工作人员"
        STATION_KEEPER = "station_keeper", "驿站管理员"
        LAWYER = "lawyer", "公益律师"
        PLATFORM_LIAISON = "platform_liaison", "平台联络员"

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

"""Audit rows carry the city the act belongs to, and a city's administrator reads that city's
rows only: 无锡's never sees Changzhou's, by the list or by filtering for an object."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waystation.accounts.cities import province_unit_ensure
from waystation.accounts.models import City, Platform, Province, StaffRole
from waystation.accounts.services import platform_token_issue
from waystation.members.tests.factories import make_member
from waystation.privacy.access import audit_logs_visible_to
from waystation.privacy.audit import AuditAction, audit_record
from waystation.privacy.models import AuditLog

REVEAL = AuditAction.MEMBER_REVEAL


def test_the_city_is_the_objects_then_the_actors_one_home_city(people, wuxi_people, wuxi):
    wx_member = make_member(district="320213")
    on_member = audit_record(action=REVEAL, actor=people.carl, obj=wx_member, reason="核对")
    assert on_member.city.adcode == "320200"  # the member's, not the actor's
    by_wanda = audit_record(action=AuditAction.MEMBER_EXPORT, actor=wuxi_people.wanda)
    assert by_wanda.city.adcode == "320200"
    by_pam = audit_record(action=AuditAction.MEMBER_EXPORT, actor=wuxi_people.pam)
    assert by_pam.city is None  # two home cities: none of them in particular
    changzhou = City.objects.get(adcode="320400")
    # where the act belongs to another city than the object's now (a transfer out)
    given = audit_record(
        action=AuditAction.MEMBER_TRANSFER, actor=people.carl, obj=wx_member, city_id=changzhou.pk
    )
    assert given.city == changzhou


def test_a_platform_token_is_a_national_act(orgs):
    platform_token_issue(platform=Platform.objects.get(code="meituan"))
    assert AuditLog.objects.get(action="aid.platform_token").city is None


@pytest.fixture
def rows(people, wuxi_people):
    cz = audit_record(
        action=REVEAL, actor=people.carl, obj=make_member(district="tianning"), reason="常州的核对"
    )
    wx = audit_record(
        action=REVEAL,
        actor=wuxi_people.wanda,
        obj=make_member(district="320213"),
        reason="无锡的核对",
    )
    platform_token_issue(platform=Platform.objects.get(code="meituan"))
    return {"cz": cz, "wx": wx, "national": AuditLog.objects.get(action="aid.platform_token")}


def listed(client, **params) -> set[int]:
    r = client.get("/staff/audit/", params)
    assert r.status_code == 200
    return {e.pk for e in r.context["page"]}


def test_each_city_admin_reads_their_citys_rows_only(people, wuxi_people, rows, as_user):
    wade, admin = as_user(wuxi_people.wade), as_user(people.admin)
    assert listed(wade) == {rows["wx"].pk}
    assert listed(admin) == {rows["cz"].pk}
    assert listed(wade, object_id=rows["cz"].object_id) == set()
    assert "常州的核对" not in wade.get("/staff/audit/").content.decode()


def test_an_admin_of_every_city_also_reads_the_national_rows(rows, wuxi_people, as_user):
    province = province_unit_ensure(Province.objects.get(adcode="320000"))
    StaffRole.objects.create(user=wuxi_people.pam, role=StaffRole.Role.CITY_ADMIN, unit=province)
    assert listed(as_user(wuxi_people.pam)) == {r.pk for r in rows.values()}


def test_in_a_deployment_of_one_city_its_admin_reads_the_national_rows(people, as_user):
    platform_token_issue(platform=Platform.objects.get(code="meituan"))
    assert len(listed(as_user(people.admin))) == 1


def test_an_admin_of_some_cities_filters_by_city_alone(people, wuxi_people):
    """With a city the admin does not administer, no row of no city is theirs: the query is a
    plain city filter (an index range on (city, at)), not an OR with an EXISTS over cities that
    makes PostgreSQL read the whole index (benchmarks/scale.py)."""
    sql = str(audit_logs_visible_to(people.admin).query)
    assert '"privacy_auditlog"."city_id" IN (' in sql
    assert "IS NULL" not in sql
    assert "EXISTS" not in sql


def test_the_audit_page_reads_no_city_polygon(people, rows, as_user):
    with CaptureQueriesContext(connection) as ctx:
        assert listed(as_user(people.admin)) == {rows["cz"].pk}
    assert [q["sql"] for q in ctx.captured_queries if '"boundary"' in q["sql"]] == []

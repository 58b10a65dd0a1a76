"""core/bulk.py on its own: rows that meet a unique constraint are skipped and counted, the rows
written come back with their ids, fields left out take their defaults, and a failed call leaves
nothing. Each test runs both ways the helper writes: COPY (PostgreSQL) and multi-row INSERT
(SQLite's way, which PostgreSQL speaks too, so a PostgreSQL run checks both)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from waystation.core import bulk
from waystation.members.models import Campaign

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(params=["copy", "values"])
def way(request, monkeypatch):
    on_pg = connection.vendor == "postgresql"
    if request.param == "copy" and not on_pg:
        pytest.skip("COPY is PostgreSQL's")
    if request.param == "values" and on_pg:
        monkeypatch.setattr(bulk, "_by_copy", bulk._by_values)
    return request.param


def campaign(code: str, unit, **fields) -> dict:
    return {
        "code": code,
        "name": f"活动{code}",
        "unit_id": unit.pk,
        "city_id": unit.city_id,
    } | fields


def test_rows_that_meet_a_unique_constraint_are_skipped_and_counted(way, orgs):
    unit = orgs["tianning"]
    Campaign.objects.create(code="a", name="原有", unit=unit)
    rows = [campaign(code, unit) for code in ("a", "b", "c")]
    assert bulk.insert_ignoring_conflicts(Campaign, rows) == bulk.Inserted(2, 1, [])
    assert sorted(Campaign.objects.values_list("code", "name")) == [
        ("a", "原有"),  # kept as it was
        ("b", "活动b"),
        ("c", "活动c"),
    ]
    again = bulk.insert_ignoring_conflicts(Campaign, rows)
    assert (again.count, again.skipped) == (0, 3)
    assert Campaign.objects.count() == 3


def test_the_rows_written_come_back_with_their_ids(way, orgs):
    unit = orgs["tianning"]
    Campaign.objects.create(code="a", name="原有", unit=unit)
    rows = [campaign(code, unit) for code in ("a", "b", "c")]
    out = bulk.insert_ignoring_conflicts(Campaign, rows, returning=("code", "id"))
    assert (out.count, out.skipped) == (2, 1)
    assert dict(out.returned) == dict(
        Campaign.objects.filter(code__in=["b", "c"]).values_list("code", "id")
    )


def test_fields_left_out_take_their_defaults_and_datetimes_keep_their_instant(way, orgs):
    unit = orgs["tianning"]
    at = datetime(2024, 3, 1, 9, 30, tzinfo=SHANGHAI)
    bulk.insert_ignoring_conflicts(
        Campaign, [campaign("a", unit, created_at=at), campaign("b", unit, created_at=at)]
    )
    bulk.insert_ignoring_conflicts(Campaign, [campaign("c", unit), campaign("d", unit)])
    a = Campaign.objects.get(code="a")
    assert (a.owner_kind, a.active, a.place, a.created_at) == ("union", True, "", at)
    # a default is evaluated once per call: the rows of one call share one timezone.now()
    c, d = Campaign.objects.filter(code__in=["c", "d"]).order_by("code")
    assert c.created_at == d.created_at and c.created_at > at


def test_more_rows_than_one_statement_takes_are_all_written(way, orgs):
    unit = orgs["tianning"]
    Campaign.objects.create(code="c1000", name="原有", unit=unit)
    rows = [campaign(f"c{i}", unit) for i in range(1200)]
    out = bulk.insert_ignoring_conflicts(Campaign, rows, returning=("id",))
    assert (out.count, out.skipped, len(out.returned)) == (1199, 1, 1199)
    assert Campaign.objects.count() == 1200


def test_a_call_that_fails_writes_nothing_and_leaves_the_transaction_usable(way, orgs):
    unit = orgs["tianning"]
    with transaction.atomic():
        Campaign.objects.create(code="before", name="之前", unit=unit)
        with pytest.raises(IntegrityError):
            bulk.insert_ignoring_conflicts(
                Campaign, [campaign("ok", unit), campaign("bad", unit, name=None)]
            )
        Campaign.objects.create(code="after", name="之后", unit=unit)
    assert sorted(Campaign.objects.values_list("code", flat=True)) == ["after", "before"]


def test_no_rows_make_no_query(way, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert bulk.insert_ignoring_conflicts(Campaign, []) == bulk.Inserted(0, 0, [])

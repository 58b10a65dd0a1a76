"""The partitioning migrations (stations 0006, privacy 0004, members 0009) keep every row, its id
and the id sequence's place, going forward and back and forward again."""

# ruff: noqa: S608 - the tables named are the module's own

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from waystation.core.partitions import PARTITIONED, is_partitioned
from waystation.members.models import SmsCode
from waystation.stations.models import Station, Visit

SH = ZoneInfo("Asia/Shanghai")
MARCH = datetime(2024, 3, 5, 10, 0, tzinfo=SH)
BEFORE = [
    ("stations", "0005_services"),
    ("privacy", "0003_auditlog_city"),
    ("members", "0008_city_required_codes_as_rows"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _forward():
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _rows() -> dict[str, list[tuple]]:
    with connection.cursor() as cur:
        found = {}
        for table, column in PARTITIONED.items():
            cur.execute(f"SELECT id, {column}, tableoid::regclass::text FROM {table} ORDER BY id")
            found[table] = cur.fetchall()
        return found


def _audit_row(at: datetime) -> int:
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO privacy_auditlog (at, actor_label, action, object_type, object_id,"
            " reason, detail) VALUES (%s, 'test', 'member.join', '', '', '', '{}') RETURNING id",
            [at],
        )
        return cur.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_partitioning_keeps_every_row_forward_back_and_forward_again():
    station = Station.objects.create(
        code="TN901", name="测试驿站", district_id="tianning", lon=119.99, lat=31.78
    )
    visit = Visit.objects.create(station=station, at=MARCH)
    code = SmsCode.objects.create(
        phone_hash="h", purpose="join", code_hash="c", created_at=MARCH,
        expires_at=MARCH + timedelta(minutes=5),
    )  # fmt: skip
    audit = _audit_row(MARCH)
    try:
        old_apps = _migrate(BEFORE)
        assert not any(is_partitioned(table) for table in PARTITIONED)
        assert [r[0] for r in _rows()["stations_visit"]] == [visit.pk]
        # a row written while the tables are plain, in a month no partition exists for yet
        later = old_apps.get_model("stations", "Visit").objects.create(
            station_id=station.pk, city_id=station.city_id, at=MARCH.replace(month=4)
        )
    finally:
        _forward()
    assert all(is_partitioned(table) for table in PARTITIONED)
    rows = _rows()
    assert rows["stations_visit"] == [
        (visit.pk, MARCH, "stations_visit_p202403"),
        (later.pk, MARCH.replace(month=4), "stations_visit_p202404"),
    ]
    assert rows["members_smscode"] == [(code.pk, MARCH, "members_smscode_p202403")]
    assert [r[0] for r in rows["privacy_auditlog"]] == [audit]
    assert rows["privacy_auditlog"][0][2] == "privacy_auditlog_p202403"
    # the sequence goes on where it was
    assert Visit.objects.create(station=station).pk == later.pk + 1

    try:
        _migrate(BEFORE)
        back = _rows()
        assert {r[2] for rows in back.values() for r in rows} == set(PARTITIONED)
        assert [r[0] for r in back["stations_visit"]] == [visit.pk, later.pk, later.pk + 1]
    finally:
        _forward()
    assert [r[0] for r in _rows()["stations_visit"]] == [visit.pk, later.pk, later.pk + 1]
    assert _rows()["members_smscode"] == [(code.pk, MARCH, "members_smscode_p202403")]

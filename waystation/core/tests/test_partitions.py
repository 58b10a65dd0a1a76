"""Monthly partitions and retention (core/partitions.py, `manage.py partitions`): rows land in
their month, the months ahead are made idempotently, retention drops whole old partitions (and
never an audit row by DELETE), the plan of a month's query reads one partition."""

# ruff: noqa: S608 - the tables named are the module's own

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.state import ModelState

from waystation.core import partitions
from waystation.members.models import SmsCode, SmsGuess
from waystation.privacy.models import AuditAction, AuditLog
from waystation.stations.models import Station, Visit

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2030, 6, 15, 12, 0, tzinfo=SH)  # far from the months the migration made
postgres = pytest.mark.postgres


def _in(table_row_sql: str, params: list) -> str:
    with connection.cursor() as cur:
        cur.execute(table_row_sql, params)
        return cur.fetchone()[0]


def _partition_of(table: str, pk: int) -> str:
    return _in(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])


def _months(table: str) -> list[str]:
    with connection.cursor() as cur:
        return [p.name for p in partitions.partitions_of(cur, table)]


def _code(created_at: datetime) -> SmsCode:
    return SmsCode.objects.create(
        phone_hash="h", purpose="join", code_hash="c", created_at=created_at,
        expires_at=created_at + timedelta(minutes=5),
    )  # fmt: skip


def _audit_row(at: datetime) -> int:
    """An audit row written at `at` (the model stamps `now`; the log cannot be updated)."""
    return _in(
        "INSERT INTO privacy_auditlog (at, actor_label, action, object_type, object_id, reason,"
        " detail) VALUES (%s, 'test', 'member.join', '', '', '', '{}') RETURNING id",
        [at],
    )


def _station() -> Station:
    return Station.objects.create(
        code="TN901", name="测试驿站", district_id="tianning", lon=119.99, lat=31.78
    )


@postgres
@pytest.mark.django_db
def test_the_three_tables_are_partitioned_after_migrate_and_the_guesses_are_not():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
            " ORDER BY 1"
        )
        assert [r[0] for r in cur.fetchall()] == [
            "members_smscode",
            "privacy_auditlog",
            "stations_visit",
        ]
    assert not partitions.is_partitioned("members_smsguess")


@postgres
@pytest.mark.django_db
def test_a_row_lands_in_its_months_partition_and_one_far_ahead_in_default():
    partitions.partitions_ensure(now=NOW)
    station = _station()
    june = Visit.objects.create(station=station, at=datetime(2030, 6, 30, 23, 59, tzinfo=SH))
    july = Visit.objects.create(station=station, at=datetime(2030, 7, 1, 0, 0, tzinfo=SH))
    far = Visit.objects.create(station=station, at=datetime(2099, 1, 1, tzinfo=SH))
    assert _partition_of("stations_visit", june.pk) == "stations_visit_p203006"
    assert _partition_of("stations_visit", july.pk) == "stations_visit_p203007"
    assert _partition_of("stations_visit", far.pk) == "stations_visit_default"
    assert _partition_of("members_smscode", _code(NOW).pk) == "members_smscode_p203006"
    assert _partition_of("privacy_auditlog", _audit_row(NOW)) == "privacy_auditlog_p203006"
    # Django still reads them by id, its pk
    assert Visit.objects.get(pk=far.pk).at == datetime(2099, 1, 1, tzinfo=SH)


@postgres
@pytest.mark.django_db
def test_ensure_creates_this_month_and_the_next_three_once():
    before = _months("members_smscode")
    done = partitions.partitions_ensure(now=NOW)
    assert [line for line in done if "members_smscode" in line] == [
        "created members_smscode_p203006",
        "created members_smscode_p203007",
        "created members_smscode_p203008",
        "created members_smscode_p203009",
    ]
    assert len(done) == 12  # the same four for each of the three tables
    assert _months("members_smscode") == [
        *before,
        "members_smscode_p203006",
        "members_smscode_p203007",
        "members_smscode_p203008",
        "members_smscode_p203009",
    ]
    assert partitions.partitions_ensure(now=NOW) == []


@postgres
@pytest.mark.django_db
def test_ensure_since_a_past_month_makes_every_month_from_it_before_history_is_loaded():
    out = StringIO()
    call_command("partitions", "--ensure", "--since", "2030-02", "--now", "2030-06-15", stdout=out)
    made = [line for line in out.getvalue().splitlines() if "stations_visit" in line]
    assert made == [f"created stations_visit_p2030{m:02d}" for m in range(2, 10)]
    old = Visit.objects.create(station=_station(), at=datetime(2030, 2, 1, 0, 0, tzinfo=SH))
    assert _partition_of("stations_visit", old.pk) == "stations_visit_p203002"
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("partitions", "--ensure", "--since", "2月")


@postgres
@pytest.mark.django_db
def test_ensure_moves_the_months_rows_out_of_default_without_deleting_audit_rows():
    code = _code(datetime(2030, 7, 3, tzinfo=SH))
    audit = _audit_row(datetime(2030, 7, 3, tzinfo=SH))
    stays = _audit_row(datetime(2099, 1, 1, tzinfo=SH))
    assert _partition_of("privacy_auditlog", audit) == "privacy_auditlog_default"
    done = partitions.partitions_ensure(now=NOW)
    assert "created privacy_auditlog_p203007 (1 rows from default)" in done
    assert _partition_of("members_smscode", code.pk) == "members_smscode_p203007"
    assert _partition_of("privacy_auditlog", audit) == "privacy_auditlog_p203007"
    assert _partition_of("privacy_auditlog", stays) == "privacy_auditlog_default"
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("DELETE FROM privacy_auditlog_default")


@postgres
@pytest.mark.django_db
def test_prune_drops_only_partitions_wholly_older_than_retention():
    partitions.partitions_ensure(now=datetime(2030, 3, 1, tzinfo=SH))  # 2030-03 … 2030-06
    partitions.partitions_ensure(now=datetime(2024, 4, 1, tzinfo=SH))  # 2024-04 … 2024-07
    _code(datetime(2030, 4, 30, 23, 59, tzinfo=SH))  # the last minute before the cutoff
    kept = _code(datetime(2030, 5, 1, tzinfo=SH))
    old_default = _code(datetime(2020, 1, 1, tzinfo=SH))  # in default, past its retention
    _audit_row(datetime(2024, 5, 31, 23, 0, tzinfo=SH))
    old_audit_in_default = _audit_row(datetime(2020, 1, 1, tzinfo=SH))

    done = partitions.retention_prune(now=NOW)

    # SMS codes: one month; the cutoff is 2030-05-01 (Shanghai)
    assert "dropped members_smscode_p203004 (1 rows, before 2030-05-01)" in done
    assert "deleted 1 rows of members_smscode_default" in done
    assert _months("members_smscode")[:2] == ["members_smscode_p203005", "members_smscode_p203006"]
    assert list(SmsCode.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not SmsCode.objects.filter(pk=old_default.pk).exists()
    # the audit log: 72 months, cutoff 2024-06-01; the default's old row is never deleted
    assert "dropped privacy_auditlog_p202404 (0 rows, before 2024-06-01)" in done
    assert "dropped privacy_auditlog_p202405 (1 rows, before 2024-06-01)" in done
    assert _months("privacy_auditlog")[:1] == ["privacy_auditlog_p202406"]
    assert AuditLog.objects.filter(pk=old_audit_in_default).exists()
    # visits: 36 months, cutoff 2027-06-01: the 2024 months go, 2030's stay
    assert "dropped stations_visit_p202404 (0 rows, before 2027-06-01)" in done
    assert "stations_visit_p203003" in _months("stations_visit")
    # the audit partitions' going is itself audited
    record = AuditLog.objects.get(action=AuditAction.SYSTEM_RETENTION)
    assert record.object_type == "privacy_auditlog"
    dropped = record.detail["dropped"]  # (and any older month another test left, empty)
    assert dropped[-2:] == [
        {"partition": "privacy_auditlog_p202404", "rows": 0},
        {"partition": "privacy_auditlog_p202405", "rows": 1},
    ]
    assert sum(d["rows"] for d in dropped) == 1
    assert partitions.retention_prune(now=NOW) == []


@postgres
@pytest.mark.django_db
def test_prune_dry_run_drops_and_deletes_nothing():
    partitions.partitions_ensure(now=datetime(2030, 3, 1, tzinfo=SH))
    _code(datetime(2030, 4, 2, tzinfo=SH))
    out = StringIO()
    call_command("partitions", "--prune", "--dry-run", stdout=out)
    call_command("partitions", "--prune", "--dry-run", "--now", "2030-06-15", stdout=out)
    assert "would drop members_smscode_p203004 (1 rows, before 2030-05-01)" in out.getvalue()
    assert "members_smscode_p203004" in _months("members_smscode")
    assert SmsCode.objects.count() == 1
    assert not AuditLog.objects.filter(action=AuditAction.SYSTEM_RETENTION).exists()


@postgres
@pytest.mark.django_db
def test_the_audit_trigger_still_refuses_update_and_delete_on_the_partitioned_log():
    written = datetime(2030, 6, 2, tzinfo=SH)
    pk = _audit_row(written)
    for sql in (
        "UPDATE privacy_auditlog SET reason = 'x' WHERE id = %s",
        "DELETE FROM privacy_auditlog WHERE id = %s",
        f"DELETE FROM {_partition_of('privacy_auditlog', pk)} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [pk])
    assert AuditLog.objects.get(pk=pk).at == written


@postgres
@pytest.mark.django_db
def test_explain_of_a_months_query_reads_that_months_partition_only():
    partitions.partitions_ensure(now=NOW)
    plans = partitions.partitions_explain(now=NOW)
    assert set(plans) == set(partitions.PARTITIONED)
    for table, plan in plans.items():
        assert f"{table}_p203006" in plan, plan
        assert f"{table}_default" not in plan and f"{table}_p203007" not in plan, plan
    out = StringIO()
    call_command("partitions", "--explain", "--now", "2030-06-15", stdout=out)
    assert "stations_visit_p203006" in out.getvalue()


@postgres
@pytest.mark.django_db
def test_migrations_find_the_names_django_gave_indexes_and_constraints():
    """What AlterField, RemoveIndex and the like look up by name is where Django expects it."""
    with connection.schema_editor() as editor:
        for model, fk_columns in ((Visit, ["station_id", "city_id"]), (AuditLog, ["actor_id"])):
            table = model._meta.db_table
            names = connection.introspection.get_constraints(connection.cursor(), table)
            for index in model._meta.indexes:
                assert names[index.name]["index"], (table, index.name)
            for column in fk_columns:
                assert len(editor._constraint_names(model, [column], foreign_key=True)) == 1
            assert editor._constraint_names(model, primary_key=True) == [f"{table}_pkey"]
        assert sorted(editor._constraint_names(SmsCode, ["phone_hash"], index=True)) == [
            "members_smscode_phone_hash_b3361b46",
            "members_smscode_phone_hash_b3361b46_like",
        ]
        # and they run: an index of the model state dropped and made again on the parent
        index = ModelState.from_model(Visit).options["indexes"][0]
        editor.remove_index(Visit, index)
        editor.add_index(Visit, index)
        old = SmsCode._meta.get_field("phone_hash")
        new = type(old)(max_length=64, db_index=False)
        new.set_attributes_from_name("phone_hash")
        editor.alter_field(SmsCode, old, new)
        assert editor._constraint_names(SmsCode, ["phone_hash"], index=True) == []


@pytest.mark.django_db
def test_prune_deletes_old_rows_of_plain_tables_and_old_codes_on_every_database():
    """SmsGuess is plain everywhere; SmsCode is plain on SQLite and in default on PostgreSQL."""
    old = SmsGuess.objects.create(phone_hash="h", created_at=datetime(2030, 4, 30, tzinfo=SH))
    new = SmsGuess.objects.create(phone_hash="h", created_at=datetime(2030, 5, 1, tzinfo=SH))
    _code(datetime(2020, 1, 1, tzinfo=SH))
    recent = _code(datetime(2030, 6, 1, tzinfo=SH))
    done = partitions.retention_prune(now=NOW)
    assert "deleted 1 rows of members_smsguess before 2030-05-01" in done
    assert list(SmsGuess.objects.values_list("pk", flat=True)) == [new.pk]
    assert not SmsGuess.objects.filter(pk=old.pk).exists()
    assert list(SmsCode.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db
def test_a_plain_audit_log_keeps_every_row(monkeypatch):
    monkeypatch.setattr(partitions, "is_partitioned", lambda table, connection=None: False)
    pk = AuditLog.objects.create(action="member.join").pk
    done = partitions.retention_prune(now=datetime(2099, 1, 1, tzinfo=SH))
    assert not [line for line in done if "privacy_auditlog" in line]
    assert AuditLog.objects.filter(pk=pk).exists()


@pytest.mark.django_db
def test_the_command_needs_something_to_do():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("partitions", stdout=StringIO())

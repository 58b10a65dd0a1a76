"""The audit log is append-only: the model refuses changes (members/tests/test_access.py), and on
PostgreSQL so does a trigger, for whoever goes around the model with raw SQL."""

import pytest
from django.db import ProgrammingError, connection, transaction

from waystation.privacy.audit import AuditAction, audit_record
from waystation.privacy.models import AuditLog


@pytest.fixture
def row(db):
    return audit_record(action=AuditAction.MEMBER_REVEAL, actor_label="test", reason="核对身份")


@pytest.mark.postgres
def test_postgres_refuses_a_raw_update(row):
    with (
        pytest.raises(ProgrammingError, match="privacy_auditlog is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE privacy_auditlog SET reason = %s WHERE id = %s", ["改过", row.pk])
    assert AuditLog.objects.get(pk=row.pk).reason == "核对身份"


@pytest.mark.postgres
def test_postgres_refuses_a_raw_delete(row):
    with (
        pytest.raises(ProgrammingError, match="privacy_auditlog is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM privacy_auditlog WHERE id = %s", [row.pk])
    assert AuditLog.objects.filter(pk=row.pk).exists()

"""The data migration of the audit log: the rows an existing deployment wrote become Changzhou's
(a platform's token stays national), every row is kept as it was, and the append-only trigger
that had to be set aside for that one statement refuses changes again afterwards."""

import pytest
from django.db import DatabaseError, connection, transaction

from waystation.members.tests.legacy import (
    forget_the_organisation,
    legacy_units,
    migrate_back,
    migrate_to_latest,
)
from waystation.privacy.models import AuditLog

PRIVACY_BEFORE = [("privacy", "0002_auditlog_append_only_trigger")]
BEFORE = [("accounts", "0001_initial"), *PRIVACY_BEFORE]
ROWS = [  # action, object type, object id, reason
    ("member.reveal", "members.member", "7", "核对身份"),
    ("member.export", "members.member", "", ""),
    ("aid.platform_token", "accounts.platform", "3", ""),
]


def _write_legacy_rows(apps) -> None:
    legacy_units(apps)
    AuditLog = apps.get_model("privacy", "AuditLog")
    for action, object_type, object_id, reason in ROWS:
        AuditLog.objects.create(
            action=action,
            object_type=object_type,
            object_id=object_id,
            reason=reason,
            actor_label="carl",
            detail={"n": 1},
        )


def _old_rows(apps) -> list[tuple]:
    AuditLog = apps.get_model("privacy", "AuditLog")
    return sorted(AuditLog.objects.values_list("action", "object_type", "object_id", "reason"))


def _check_migrated() -> None:
    assert sorted(
        AuditLog.objects.values_list(
            "action", "object_type", "object_id", "reason", "city__adcode", "actor_label", "detail"
        )
    ) == sorted(
        [
            ("member.export", "members.member", "", "", "320400", "carl", {"n": 1}),
            ("member.reveal", "members.member", "7", "核对身份", "320400", "carl", {"n": 1}),
            ("aid.platform_token", "accounts.platform", "3", "", None, "carl", {"n": 1}),
        ]
    )
    row = AuditLog.objects.get(action="member.reveal")
    with (
        pytest.raises(DatabaseError, match="privacy_auditlog is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE privacy_auditlog SET city_id = NULL WHERE id = %s", [row.pk])
    assert AuditLog.objects.get(pk=row.pk).city is not None


@pytest.mark.django_db(transaction=True)
def test_old_audit_rows_become_changzhous_and_the_log_stays_append_only():
    forget_the_organisation()
    executor = migrate_back(PRIVACY_BEFORE)
    try:
        _write_legacy_rows(executor.loader.project_state(BEFORE).apps)
    finally:
        migrate_to_latest()
    _check_migrated()

    executor = migrate_back(PRIVACY_BEFORE)
    try:
        assert _old_rows(executor.loader.project_state(BEFORE).apps) == sorted(ROWS)
    finally:
        migrate_to_latest()
    _check_migrated()

"""What the audit log records is one of a fixed set of actions, each with a label: the writer
takes nothing else, so every action written anywhere is a member with a label."""

import pytest

from waystation.privacy.audit import AuditAction, audit_record
from waystation.privacy.models import AuditLog


def test_the_writer_refuses_a_plain_string(db):
    with pytest.raises(TypeError, match="audit action must be an AuditAction member"):
        audit_record(action="member.reveal", actor_label="test")  # type: ignore[arg-type]
    assert not AuditLog.objects.exists()


def test_the_writer_stores_the_members_value(db):
    row = audit_record(action=AuditAction.MEMBER_REVEAL, actor_label="test")
    assert AuditLog.objects.get(pk=row.pk).action == "member.reveal"


def test_every_action_fits_the_column_and_has_a_label_of_its_own():
    width = AuditLog._meta.get_field("action").max_length
    assert all(len(a.value) <= width for a in AuditAction)
    labels = [str(a.label) for a in AuditAction]
    assert all(labels) and len(set(labels)) == len(labels)


def test_a_row_shows_its_actions_label(db):
    row = audit_record(action=AuditAction.AID_PAYOUT_REISSUE, actor_label="test")
    assert row.action_label == "重新发起支付"


def test_a_stored_action_this_release_does_not_know_shows_its_value(db):
    row = AuditLog.objects.create(action="legacy.something")
    assert row.action_label == "legacy.something"

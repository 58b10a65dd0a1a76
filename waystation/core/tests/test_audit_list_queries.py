"""The audit log page costs the same number of queries for 3 rows as for 30."""

import pytest

from waystation.accounts.selectors import federation_name
from waystation.privacy.audit import AuditAction, audit_record

# sign-in (3), whether national rows are the admin's (one small query on the cities, which keeps
# the rows' query a plain city range), the count, the page of rows (the actions are AuditAction)
AUDIT_LOG_QUERIES = 6


@pytest.mark.parametrize("rows", [3, 30])
def test_audit_log_queries_do_not_grow_with_rows(
    rows, people, as_user, django_assert_max_num_queries
):
    for i in range(rows):
        actor = [people.alice, people.charlie, people.carl][i % 3]
        audit_record(
            action=AuditAction.MEMBER_REVEAL, actor=actor, object_id=f"CZ{i:08d}", reason=f"核对{i}"
        )
    c = as_user(people.admin)
    federation_name()  # the site's name is cached (a minute); warm it, as any page before did
    with django_assert_max_num_queries(AUDIT_LOG_QUERIES):
        html = c.get("/staff/audit/").content.decode()
    assert all(f"<td>核对{i}</td>" in html for i in range(rows))
    assert html.count("<td>charlie</td>") == len(range(1, rows, 3))

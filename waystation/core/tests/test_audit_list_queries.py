"""The audit log page costs the same number of queries for 3 objects of each kind as for 20
(40 rows, one page)."""

import pytest

from waystation.accounts.selectors import federation_name
from waystation.aid.tests.conftest import make_member
from waystation.privacy.audit import AuditAction, audit_record
from waystation.stations import services as station_services

# sign-in (3), whether national rows are the admin's (one small query on the cities, which keeps
# the rows' query a plain city range), the count, the page of rows (the actions are AuditAction)
AUDIT_LOG_QUERIES = 6
# and one per kind of object on the page: its business numbers and whether the viewer may open
# each (core/audit_objects.py)
PER_KIND = 1


@pytest.mark.parametrize("rows", [3, 20])
def test_audit_log_queries_do_not_grow_with_rows(
    rows, people, as_user, django_assert_max_num_queries
):
    members = [make_member(f"CZ{i:08d}", id_tail=f"{i:04d}") for i in range(rows)]
    stations = [
        station_services.station_create(
            code=f"TN{i:03d}", lon=119.97, lat=31.81, data={"name": f"站{i}"}, actor=people.admin
        )
        for i in range(rows)
    ]
    for i in range(rows):
        actor = [people.alice, people.charlie, people.carl][i % 3]
        audit_record(
            action=AuditAction.MEMBER_REVEAL, actor=actor, obj=members[i], reason=f"核对{i}"
        )
        audit_record(action=AuditAction.STATION_UPDATE, actor=actor, obj=stations[i])
    c = as_user(people.admin)
    federation_name()  # the site's name is cached (a minute); warm it, as any page before did
    with django_assert_max_num_queries(AUDIT_LOG_QUERIES + 2 * PER_KIND):
        html = c.get("/staff/audit/").content.decode()
    assert all(f"<td>核对{i}</td>" in html for i in range(rows))
    assert html.count("<td>charlie</td>") == 2 * len(range(1, rows, 3))
    assert all(f'<a href="/staff/members/CZ{i:08d}/">' in html for i in range(rows))
    assert all(f'<a href="/staff/stations/TN{i:03d}/">' in html for i in range(rows))

"""Personal-data files leave through services that audit them: the member export and a roster
import's error file each write exactly one audit row, whoever calls them."""

import io

from openpyxl import load_workbook

from waystation.members import roster, services
from waystation.members.demo import roster_xlsx
from waystation.members.models import RosterImport
from waystation.members.tests.test_roster_upload import GOOD, upload
from waystation.privacy.audit import AuditAction
from waystation.privacy.models import AuditLog

from .factories import make_member


def test_member_export_writes_one_audit_row_with_its_actor_filters_and_count(people):
    make_member(district="tianning")
    make_member(district="tianning", industry="express")
    make_member(district="zhonglou")  # outside alice's scope: neither exported nor counted
    data = services.member_export(actor=people.alice, params={"district": "tianning", "q": "x"})
    assert len(list(load_workbook(io.BytesIO(data)).active.iter_rows())) == 1 + 2
    row = AuditLog.objects.get()
    assert (row.action, row.actor, row.object_type) == (
        AuditAction.MEMBER_EXPORT,
        people.alice,
        "members.member",
    )
    assert row.detail == {"filters": {"district": "tianning"}, "count": 2}  # never the search


def test_the_export_page_writes_its_audit_row_once(people, as_user):
    make_member(district="tianning")
    r = as_user(people.alice).get("/staff/members/export.xlsx", {"status": "active"})
    assert r.status_code == 200
    row = AuditLog.objects.get()
    assert (row.action, row.actor, row.detail) == (
        AuditAction.MEMBER_EXPORT,
        people.alice,
        {"filters": {"status": "active"}, "count": 1},
    )


def test_error_file_download_writes_one_audit_row_with_its_actor_and_rows(people, as_user, orgs):
    bad = [*GOOD[:1], "110105194912310021", *GOOD[2:]]  # a wrong check digit
    upload(as_user(people.alice), roster_xlsx([GOOD, bad]), unit=orgs["tianning"])
    imp = RosterImport.objects.get()
    before = AuditLog.objects.count()
    data = roster.roster_errors_download(imp=imp, actor=people.alice)
    assert data is not None and data.startswith(b"PK")
    row = AuditLog.objects.get(action=AuditAction.MEMBER_IMPORT_ERRORS)
    assert AuditLog.objects.count() == before + 1
    assert (row.actor, row.object_id) == (people.alice, str(imp.pk))
    assert row.detail == {"filename": "roster.xlsx", "rows": 1, "full": True}


def test_an_import_without_errors_has_no_error_file_and_nothing_is_audited(people, as_user, orgs):
    c = as_user(people.alice)
    upload(c, roster_xlsx([GOOD]), unit=orgs["tianning"])
    imp = RosterImport.objects.get()
    assert roster.roster_errors_download(imp=imp, actor=people.alice) is None
    assert c.get(f"/staff/imports/{imp.pk}/errors.xlsx").status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.MEMBER_IMPORT_ERRORS).exists()

"""The audit log names its objects by their business numbers (会员号, 案件号, 驿站编号), links
them where the viewer may open them, and is filtered by person, object and a date range."""

from datetime import timedelta

import pytest
from django.utils import timezone

from waystation.aid.tests.conftest import (  # noqa: F401 - fixtures
    claim,
    enrolment,
    make_member,
    plans,
    rider,
)
from waystation.privacy.audit import AuditAction, audit_record
from waystation.stations import services as station_services


def _objects(html: str) -> list[str]:
    cells = html.split('id="audit-rows"', 1)[1].split("</table>", 1)[0]
    return [c.split("</td>", 1)[0] for c in cells.split('<td class="audit-object">')[1:]]


@pytest.fixture
def station(people):
    return station_services.station_create(
        code="TN001", lon=119.974, lat=31.811, data={"name": "天宁站"}, actor=people.admin
    )


def test_objects_read_by_their_business_numbers_with_links(
    people,
    as_user,
    claim,  # noqa: F811
    station,
):
    audit_record(action=AuditAction.MEMBER_REVEAL, actor=people.carl, obj=claim.member)
    audit_record(action=AuditAction.AID_CLAIM_REVIEW, actor=people.alice, obj=claim)
    html = as_user(people.admin).get("/staff/audit/").content.decode()
    assert _objects(html)[:3] == [
        f'互助申请 · 案件号 <a href="/staff/aid/claims/{claim.number}/">{claim.number}</a>',
        '会员 · 会员号 <a href="/staff/members/CZ00000001/">CZ00000001</a>',
        '驿站 · 驿站编号 <a href="/staff/stations/TN001/">TN001</a>',
    ]


def test_an_object_the_viewer_may_not_open_has_its_number_without_a_link(
    people, wuxi_people, as_user
):
    from waystation.accounts.models import City

    cz = City.objects.get(adcode="320400")
    gone = make_member("CZ00000009", district="320213", id_tail="0099")  # now in 无锡
    audit_record(action=AuditAction.MEMBER_TRANSFER, actor=people.admin, obj=gone, city_id=cz.pk)
    html = as_user(people.admin).get("/staff/audit/").content.decode()
    assert _objects(html) == ["会员 · 会员号 CZ00000009"]


def test_a_payout_reads_as_its_claims_number_and_the_claim_number_finds_it(
    people,
    as_user,
    claim,  # noqa: F811
):
    from waystation.aid.models import Payout

    payout = Payout.objects.create(claim=claim, city_id=claim.city_id, amount_fen=1000)
    audit_record(action=AuditAction.AID_PAYOUT_CREATE, actor=people.carl, obj=payout)
    audit_record(action=AuditAction.MEMBER_REVEAL, actor=people.carl, obj=claim.member)
    c = as_user(people.admin)
    page = c.get("/staff/audit/", {"object_id": claim.number}).context["page"]
    # the claim's own report (written by claim_report) and the payout, not the member's row
    assert sorted(e.object_type for e in page) == ["aid.claim", "aid.payout"]
    page = c.get("/staff/audit/", {"object_id": "CZ00000001"}).context["page"]
    assert sorted(e.action for e in page) == ["aid.enrol_self", "member.reveal"]  # the member's
    typed = c.get("/staff/audit/", {"object_id": claim.number, "object_type": "aid.payout"})
    assert [e.object_type for e in typed.context["page"]] == ["aid.payout"]


def test_filters_by_person_and_by_a_date_range(people, as_user):
    audit_record(action=AuditAction.MEMBER_EXPORT, actor=people.carl, object_type="members.member")
    audit_record(action=AuditAction.MEMBER_EXPORT, actor=people.alice, object_type="members.member")
    c = as_user(people.admin)
    assert [e.actor_label for e in c.get("/staff/audit/", {"actor": "car"}).context["page"]] == [
        "carl"
    ]
    today = timezone.localdate()

    def count(**q):
        return c.get("/staff/audit/", q).context["page"].paginator.count

    assert count(since=str(today), until=str(today)) == 2
    assert count(until=str(today - timedelta(days=1))) == 0
    assert count(since=str(today + timedelta(days=1))) == 0
    assert count(until="not a date") == 0


def test_every_filter_label_names_its_control(people, as_user):
    html = as_user(people.admin).get("/staff/audit/").content.decode()
    form = html.split('id="audit-filters"', 1)[1].split("</form>", 1)[0]
    labels = form.count("<label for=")
    assert labels == 6
    for target in ("f-action", "f-actor", "f-type", "f-object", "f-since", "f-until"):
        assert f'<label for="{target}">' in form and f'id="{target}"' in form


def test_the_object_type_filter_offers_the_registered_kinds(people, as_user):
    html = as_user(people.admin).get("/staff/audit/", {"object_type": "aid.claim"}).content
    assert '<option value="aid.claim" selected>互助申请</option>' in html.decode()
    r = as_user(people.admin).get("/staff/audit/", {"object_type": "no.such"})
    assert r.status_code == 200 and r.context["page"].paginator.count == 0

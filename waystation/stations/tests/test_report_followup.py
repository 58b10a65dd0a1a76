"""A fault report after it is filed: the member follows it on 我的反馈, staff assign it and reply
(by SMS when the reporter left a phone), overdue ones come first; and the staff map's layer."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waystation.accounts.access import NotInScope
from waystation.members.middleware import SESSION_KEY
from waystation.members.sms import TestBackend
from waystation.privacy import crypto
from waystation.privacy.models import AuditLog
from waystation.stations import services
from waystation.stations.models import FaultReport

pytestmark = pytest.mark.django_db


def _signed_in(client, member):
    s = client.session
    s[SESSION_KEY] = member.pk
    s.save()
    return client


def test_a_member_sees_their_own_reports_with_state_and_reply_and_nobody_elses(
    client, make_station, member, people
):
    station = make_station("TN001", name="红梅驿站")
    mine = services.report_create(station=station, category="water", text="没热水", member=member)
    services.report_create(station=station, category="hygiene", text="别人的报告")
    services.report_transition(report=mine, to="acknowledged", actor=people.alice)
    services.report_reply(report=mine, text="已联系维修，明天修好", actor=people.alice)

    body = _signed_in(client, member).get("/stations/my-reports/").content.decode()
    assert "红梅驿站" in body and "没热水" in body
    assert "已受理" in body and "已联系维修，明天修好" in body
    assert "别人的报告" not in body


def test_my_reports_asks_a_signed_out_person_to_sign_in(client):
    resp = client.get("/stations/my-reports/")
    assert resp.status_code == 302 and "next=/stations/my-reports/" in resp.url


def test_a_reply_goes_by_sms_to_the_phone_the_reporter_left(
    make_station, people, django_capture_on_commit_callbacks
):
    report = services.report_create(
        station=make_station(name="红梅驿站"), category="water", phone="13912345678"
    )
    assert crypto.decrypt(report.reporter_phone_enc) == "13912345678"
    assert report.reporter_phone_masked == "139****5678"
    TestBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(report=report, text="饮水机已更换", actor=people.alice)
    assert len(TestBackend.outbox) == 1
    to, text = TestBackend.outbox[0]
    assert to == "139****5678"
    assert "红梅驿站" in text and "饮水机已更换" in text and f"编号 {report.pk}" in text
    entry = AuditLog.objects.get(action="station.report.reply")
    assert entry.detail["sms"] is True


def test_a_reply_without_a_phone_sends_nothing(
    make_station, people, django_capture_on_commit_callbacks
):
    report = services.report_create(station=make_station(), category="water")
    TestBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(report=report, text="收到", actor=people.alice)
    assert TestBackend.outbox == []


def test_a_bad_phone_is_refused_with_the_form_kept(client, make_station):
    make_station("TN001")
    resp = client.post(
        "/stations/TN001/report/", {"category": "water", "text": "没热水", "phone": "12345"}
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and "11位" in body and "没热水" in body
    assert FaultReport.objects.count() == 0


def test_staff_outside_the_district_may_not_reply_or_assign(make_station, people):
    report = services.report_create(station=make_station(), category="water")
    with pytest.raises(NotInScope):
        services.report_reply(report=report, text="你好", actor=people.charlie)
    with pytest.raises(NotInScope):
        services.report_assign(report=report, assignee=people.alice, actor=people.charlie)


def test_a_report_is_assigned_only_to_someone_who_may_keep_the_station(
    make_station, people, keeper
):
    station = make_station("TN003")
    report = services.report_create(station=station, category="water")
    assert people.charlie not in services.report_assignees(station)  # 钟楼 staff
    with pytest.raises(ValidationError):
        services.report_assign(report=report, assignee=people.charlie, actor=people.alice)
    services.report_assign(report=report, assignee=people.bob, actor=people.alice)
    report.refresh_from_db()
    assert report.assignee == people.bob
    kept = services.report_create(
        station=station.__class__.objects.get(code="TN001"), category="water"
    )
    assert keeper in services.report_assignees(kept.station)
    assert keeper not in services.report_assignees(station)  # not hers


def test_the_list_puts_overdue_reports_first_by_the_setting(
    as_user, make_station, people, settings
):
    station = make_station()
    now = timezone.now()
    ages = {"new": 1, "old": 5, "older_resolved": 9}
    made = {}
    for label, days in ages.items():
        r = services.report_create(station=station, category="water", text=label)
        FaultReport.objects.filter(pk=r.pk).update(created_at=now - timedelta(days=days, hours=1))
        made[label] = r
    services.report_transition(report=made["older_resolved"], to="resolved", actor=people.alice)
    newest = services.report_create(station=station, category="water", text="fresh")

    settings.STATION_REPORT_OVERDUE_DAYS = 3
    body = as_user(people.alice).get("/staff/stations/reports/?status=all").content.decode()
    assert "超过 3 天仍未解决" in body
    rows = [
        f'/staff/stations/reports/{r.pk}/"'
        for r in (made["old"], made["older_resolved"], made["new"], newest)
    ]
    positions = [body.index(r) for r in rows]
    assert positions == sorted(positions)  # overdue, then the others oldest first
    assert body.count('class="overdue"') == 1

    settings.STATION_REPORT_OVERDUE_DAYS = 10
    body = as_user(people.alice).get("/staff/stations/reports/?status=all").content.decode()
    assert body.count('class="overdue"') == 0


def test_staff_reply_and_assignment_through_the_page(as_user, make_station, people, member):
    report = services.report_create(station=make_station(), category="water", member=member)
    c = as_user(people.alice)
    url = f"/staff/stations/reports/{report.pk}/"
    c.post(url, {"action": "assign", "assignee": people.bob.pk})
    c.post(url, {"action": "reply", "reply": "明天上午维修"})
    report.refresh_from_db()
    assert report.assignee == people.bob and report.reply == "明天上午维修"
    body = as_user(people.bob).get("/staff/stations/reports/?mine=1").content.decode()
    assert url in body
    body = as_user(people.alice).get("/staff/stations/reports/?mine=1").content.decode()
    assert url not in body


def test_the_staff_map_layer_has_every_status_in_scope_and_nothing_outside(
    as_user, make_station, people
):
    make_station("TN001", status="planned")
    make_station("TN002", lon=120.0, lat=31.77, status="closed")
    make_station("ZL001", lon=119.94, lat=31.76)  # 钟楼
    layer = as_user(people.alice).get("/staff/stations/map.geojson").json()
    got = {f["properties"]["code"]: f["properties"]["status_label"] for f in layer["features"]}
    assert got == {"TN001": "规划中", "TN002": "已关闭"}
    assert as_user(people.olga).get("/staff/stations/map.geojson").status_code == 404
    body = as_user(people.alice).get("/staff/stations/map/").content.decode()
    for label in ("规划中", "建设中", "开放", "暂停开放", "已关闭"):
        assert f'</span>{label} <span class="muted">' in body  # the legend


def test_report_counts_give_the_unresolved_and_overdue_in_scope(make_station, people, settings):
    from waystation.stations.selectors import report_counts

    station = make_station()
    old = services.report_create(station=station, category="water")
    FaultReport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=4))
    services.report_create(station=station, category="water")
    done = services.report_create(station=station, category="water")
    services.report_transition(report=done, to="resolved", actor=people.alice)
    settings.STATION_REPORT_OVERDUE_DAYS = 3
    assert report_counts(people.alice) == (2, 1)
    assert report_counts(people.charlie) == (0, 0)  # 钟楼: not in scope


def test_the_api_takes_a_phone_for_the_reply(client, make_station):
    make_station("TN001")
    resp = client.post(
        "/api/v1/stations/TN001/reports", {"category": "water", "phone": "13912345678"}
    )
    assert resp.status_code == 201
    assert FaultReport.objects.get().reporter_phone_masked == "139****5678"
    resp = client.post("/api/v1/stations/TN001/reports", {"category": "water", "phone": "123"})
    assert resp.status_code == 400 and "phone" in resp.json()["errors"]

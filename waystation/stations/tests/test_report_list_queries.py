"""Query budgets of the report lists: as many queries for 30 reports as for 3, rows as shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waystation.members.middleware import SESSION_KEY
from waystation.stations import services

pytestmark = pytest.mark.django_db


def _reports(station, n, **kw):
    return [
        services.report_create(station=station, category="water", text=f"第{i}条", **kw)
        for i in range(n)
    ]


def _count(client, url):
    client.get(url)  # as any page after the first: the site's name and the like cached
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries), resp.content.decode()


def test_the_staff_report_list_costs_the_same_at_3_and_30_rows(as_user, make_station, people):
    station = make_station()
    made = _reports(station, 3)
    for r in made:
        services.report_assign(report=r, assignee=people.bob, actor=people.alice)
    c = as_user(people.alice)
    few, body = _count(c, "/staff/stations/reports/")
    assert body.count("<td>bob</td>") == 3
    more = _reports(station, 27)
    for r in more:
        services.report_assign(report=r, assignee=people.bob, actor=people.alice)
    many, body = _count(c, "/staff/stations/reports/")
    assert body.count("<td>bob</td>") == 30
    assert many == few


def test_my_reports_costs_the_same_at_3_and_30_rows(client, make_station, member, people):
    station = make_station()
    for r in _reports(station, 3, member=member):
        services.report_reply(report=r, text="已处理", actor=people.alice)
    s = client.session
    s[SESSION_KEY] = member.pk
    s.save()
    few, body = _count(client, "/stations/my-reports/")
    assert body.count('class="report-reply"') == 3
    for r in _reports(station, 27, member=member):
        services.report_reply(report=r, text="已处理", actor=people.alice)
    many, body = _count(client, "/stations/my-reports/")
    assert body.count('class="report-reply"') == 30
    assert many == few

"""The rider's home grid and the staff workbench, as each app's registrations fill them
(core/home.py): what a visitor, a member and each staff role sees, that every count agrees with
the list it links to, and that the workbench's queries do not grow with rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from waystation.accounts.models import Platform
from waystation.aid import services as aid_services
from waystation.aid.models import Claim, Enrolment, Payout
from waystation.aid.tests.conftest import claim_data, report_claim
from waystation.core import home
from waystation.members.tests.factories import make_member
from waystation.stations import services as station_services
from waystation.stations.models import FaultReport, Station, Visit

pytestmark = pytest.mark.django_db

HOURS = [[["00:00", "24:00"]]] * 7


def station(code, actor, lon=119.99, lat=31.78, **data):  # in 天宁
    return station_services.station_create(
        code=code, lon=lon, lat=lat, data={"name": f"驿站{code}", "weekly_hours": HOURS, **data},
        actor=actor,
    )  # fmt: skip


def sign_in_member(client, member):
    session = client.session
    session["member_id"] = member.pk
    session.save()


def tiles(html):
    import re

    return re.findall(r'data-tile="([^"]+)"', html)


def todo(response, key):
    (row,) = [t for t in response.context["todos"] if t["key"] == key]
    return row


def figure(response, key):
    (row,) = [f for f in response.context["scope_figures"] if f["key"] == key]
    return row


# --- the rider's home -------------------------------------------------------------------------


def test_a_visitor_sees_the_service_grid_with_join_and_no_card(client, orgs):
    html = client.get("/").content.decode()
    assert tiles(html) == ["members.join", "stations.find", "aid"]
    assert 'href="/join/"' in html and "/me/card/" not in html.split('id="service-grid"')[1]


@pytest.fixture
def insured(people):
    """A 天宁 rider covered until 200 days from now, with one claim in progress and one paid,
    and one fault report still open."""
    plans = {
        p.kind: p
        for p in aid_services.plans_ensure_examples(2026, city=people.carl.roles.get().unit.city)
    }
    member = make_member(name="李四")
    e = aid_services.enrolment_self(
        member=member, plan=plans["accident"], today=plans["accident"].start_date
    )
    report_claim(member, claim_data(e))
    paid = report_claim(member, claim_data(e, incident_place="青洋路"))
    Claim.objects.filter(pk=paid.pk).update(status=Claim.Status.PAID)
    today = timezone.localdate()  # the cover moved to around today by updating its row
    Enrolment.objects.filter(pk=e.pk).update(
        covered_from=today - timedelta(days=10), covered_to=today + timedelta(days=200)
    )
    s = station("TN001", people.carl)
    station_services.report_create(station=s, category="water", member=member)
    done = station_services.report_create(station=s, category="power", member=member)
    FaultReport.objects.filter(pk=done.pk).update(status=FaultReport.Status.RESOLVED)
    return member, today + timedelta(days=200)


def test_a_signed_in_member_sees_the_card_cover_until_open_claims_and_reports(client, insured):
    member, until = insured
    sign_in_member(client, member)
    r = client.get("/")
    html = r.content.decode()
    assert tiles(html) == ["members.card", "stations.find", "aid"]
    states = {t["key"]: t["state"] for t in r.context["tiles"]}
    assert states == {
        "members.card": f"{member.member_number} · 正常",
        "stations.find": "我报告的故障 1 件处理中",
        "aid": f"保障至 {until.isoformat()} · 1 件理赔办理中",
    }
    assert 'id="member-state"' in html and "李四" in html


def test_a_member_whose_cover_ended_is_told_so(client, insured):
    member, _ = insured
    Enrolment.objects.filter(member=member).update(
        covered_to=timezone.localdate() - timedelta(days=1)
    )
    sign_in_member(client, member)
    (state,) = [t["state"] for t in client.get("/").context["tiles"] if t["key"] == "aid"]
    assert state == "未在保障期 · 1 件理赔办理中"


def test_a_module_that_lands_later_adds_its_tile_with_one_call(client, orgs):
    tile = home.Tile("legal", "法律援助", "shield", "core:home", order=40)
    home.register_tile(tile)
    try:
        assert tiles(client.get("/").content.decode())[-1] == "legal"
    finally:
        del home._TILES["legal"]


def test_the_home_shows_published_notices_newest_first_and_a_members_own_citys(
    client, people, wuxi, wuxi_people
):
    from waystation.core.services import notice_save

    cz = people.carl.roles.get().unit.city
    wx = wuxi["city"].city
    for title, city, actor, published in [
        ("旧通知", cz, people.carl, True),
        ("草稿", cz, people.carl, False),
        ("无锡的通知", wx, wuxi_people.wanda, True),
        ("新通知", cz, people.carl, True),
    ]:
        notice_save(actor=actor, city=city, title=title, body="正文", published=published)
    r = client.get("/")
    assert [n.title for n in r.context["notices"]] == ["新通知", "无锡的通知", "旧通知"]
    sign_in_member(client, make_member())
    r = client.get("/")
    assert [n.title for n in r.context["notices"]] == ["新通知", "旧通知"]
    assert "草稿" not in r.content.decode()


# --- notices, written by the city federation -------------------------------------------------


@pytest.mark.prg("core:notice_new")
def test_city_staff_write_a_notice_and_land_on_the_list(people, as_user):
    c = as_user(people.carl)
    city = people.carl.roles.get().unit.city
    r = c.post(
        "/staff/notices/new/",
        {"city": city.pk, "title": "高温慰问", "body": "领取清凉包", "published": "on"},
    )
    assert (r.status_code, r.url) == (302, "/staff/notices/")
    assert "高温慰问" in c.get(r.url).content.decode()


@pytest.mark.prg("core:notice_edit")
def test_city_staff_unpublish_a_notice(people, as_user):
    from waystation.core.models import Notice
    from waystation.core.services import notice_save

    city = people.carl.roles.get().unit.city
    n = notice_save(actor=people.carl, city=city, title="停水", body="", published=True)
    r = as_user(people.admin).post(f"/staff/notices/{n.pk}/", {"city": city.pk, "title": "停水"})
    assert (r.status_code, r.url) == (302, "/staff/notices/")
    assert Notice.objects.get(pk=n.pk).published is False


def test_a_notice_form_keeps_its_input_on_an_error(people, as_user):
    city = people.carl.roles.get().unit.city
    r = as_user(people.carl).post(
        "/staff/notices/new/", {"city": city.pk, "title": "", "body": "留着的正文"}
    )
    assert r.status_code == 400 and "留着的正文" in r.content.decode()


def test_district_staff_and_another_citys_staff_cannot_touch_a_notice(people, wuxi_people, as_user):
    from waystation.core.services import notice_save

    city = people.carl.roles.get().unit.city
    n = notice_save(actor=people.carl, city=city, title="停水", body="", published=True)
    assert as_user(people.alice).get("/staff/notices/").status_code == 404
    assert as_user(wuxi_people.wanda).get(f"/staff/notices/{n.pk}/").status_code == 404
    r = as_user(wuxi_people.wanda).post(f"/staff/notices/{n.pk}/", {"city": city.pk, "title": "x"})
    assert r.status_code == 404


# --- the workbench ----------------------------------------------------------------------------


@pytest.fixture
def work(people, kim):
    """A 天宁 claim waiting for district review, one waiting for the city, one pending payout;
    kim keeps TN001, which has an overdue report, a fresh one, and two check-ins today."""
    city = people.carl.roles.get().unit.city
    plans = {p.kind: p for p in aid_services.plans_ensure_examples(2026, city=city)}
    members = [make_member(name=f"会员{i}") for i in range(3)]
    make_member(name="退会者", status="withdrawn")
    claims = []
    for m in members:
        e = aid_services.enrolment_self(
            member=m, plan=plans["accident"], today=plans["accident"].start_date
        )
        claims.append(report_claim(m, claim_data(e)))
    Claim.objects.filter(pk=claims[1].pk).update(status=Claim.Status.DISTRICT_APPROVED)
    Claim.objects.filter(pk=claims[2].pk).update(status=Claim.Status.APPROVED)
    Payout.objects.create(city=city, claim=claims[2], amount_fen=100)
    s = station("TN001", people.carl)
    station("TN002", people.carl, status="planned")
    s.keepers.add(kim)
    old = station_services.report_create(station=s, category="water")
    FaultReport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=4))
    station_services.report_create(station=s, category="power")
    for _ in range(2):
        Visit.objects.create(station=s, city=city)
    Visit.objects.create(station=s, city=city, at=timezone.now() - timedelta(days=2))
    return claims


def test_district_staff_open_on_claims_to_review_and_reports_with_the_overdue_marked(
    work, people, as_user
):
    c = as_user(people.alice)
    r = c.get("/staff/")
    keys = [t["key"] for t in r.context["todos"]]
    assert keys[:2] == ["aid.claims.submitted", "stations.reports"]
    assert "aid.payouts" not in keys and "aid.claims.district_approved" not in keys
    review = todo(r, "aid.claims.submitted")
    assert (review["n"], review["url"]) == (1, "/staff/aid/claims/?status=submitted")
    # the count is the list's: the same claim
    assert [x.pk for x in c.get(review["url"]).context["page"]] == [work[0].pk]
    reports = todo(r, "stations.reports")
    assert (reports["n"], reports["overdue"]) == (2, 1)
    assert "1 件逾期" in r.content.decode()


def test_the_member_figure_agrees_with_the_member_list_and_says_it_counts_every_status(
    work, people, as_user
):
    c = as_user(people.alice)
    r = c.get("/staff/")
    everyone, active = figure(r, "members.all"), figure(r, "members.active")
    assert (everyone["n"], active["n"]) == (4, 3)
    assert c.get(everyone["url"]).context["page"].paginator.count == 4
    assert c.get(active["url"]).context["page"].paginator.count == 3
    assert "含全部状态" in r.content.decode()


def test_city_staff_open_on_city_approval_and_payouts_to_export(work, people, as_user):
    c = as_user(people.carl)
    r = c.get("/staff/")
    approve, pay = todo(r, "aid.claims.district_approved"), todo(r, "aid.payouts")
    assert (approve["n"], pay["n"]) == (1, 1)
    assert pay["url"] == "/staff/aid/payouts/?status=pending"
    assert c.get(pay["url"]).context["page"].paginator.count == 1


def test_a_keeper_opens_on_her_stations_reports_and_todays_check_ins(work, kim, as_user):
    r = as_user(kim).get("/staff/")
    assert [t["key"] for t in r.context["todos"]] == ["stations.reports"]
    assert (todo(r, "stations.reports")["n"], todo(r, "stations.reports")["overdue"]) == (2, 1)
    assert {f["key"]: f["n"] for f in r.context["scope_figures"]} == {
        "stations.open": 1,
        "stations.all": 1,
        "stations.checkins_today": 2,
    }


def test_a_platform_liaison_opens_on_the_claims_waiting_for_her_platform(work, people, as_user):
    Claim.objects.filter(pk=work[0].pk).update(
        platform_status=Claim.PlatformStatus.PENDING,
        platform=Platform.objects.get(code="meituan"),
    )
    Claim.objects.filter(pk__in=[work[1].pk, work[2].pk]).update(
        platform_status=Claim.PlatformStatus.CONFIRMED
    )
    c = as_user(people.lily)
    r = c.get("/staff/")
    assert [t["key"] for t in r.context["todos"]] == ["aid.claims.platform"]
    confirm = todo(r, "aid.claims.platform")
    assert confirm["n"] == 1
    assert c.get(confirm["url"]).context["page"].paginator.count == 1
    assert r.context["scope_figures"] == []


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/staff/").status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["alice", "carl", "kim"])
def test_the_workbench_queries_do_not_grow_with_rows(who, work, people, kim, as_user):
    user = kim if who == "kim" else people[who]
    c = as_user(user)
    c.get("/staff/")  # the site's name, cached as on any page after the first
    before = _queries(c)
    city = people.carl.roles.get().unit.city
    s = Station.objects.get(code="TN001")
    for i in range(10):
        make_member(name=f"新会员{i}")
        station_services.report_create(station=s, category="water")
        Visit.objects.create(station=s, city=city)
    assert _queries(c) == before
    assert before <= 25  # one per count, plus the session, the user, its scope and roles


# --- navigation -------------------------------------------------------------------------------


def groups(client):
    r = client.get("/staff/")
    return {g["label"]: [i["label"] for i in g["items"]] for g in r.context["staff_groups"]}


def test_the_navigation_is_grouped_by_module_and_shows_only_what_the_role_may_use(
    people, kim, as_user
):
    assert list(groups(as_user(people.alice))) == ["会员", "驿站", "互助", "规划"]
    assert list(groups(as_user(people.admin))) == ["会员", "驿站", "互助", "规划", "系统"]
    assert groups(as_user(people.admin))["系统"] == ["通知公告", "审计日志", "组织与词表"]
    assert groups(as_user(kim)) == {
        "会员": ["会员卡核验"],
        "驿站": ["驿站", "驿站地图", "故障报告"],
    }
    assert groups(as_user(people.lily)) == {"互助": ["互助理赔"]}
    assert "互助付款" not in groups(as_user(people.alice))["互助"]


def test_the_open_page_is_marked_current_in_the_navigation(people, as_user):
    html = as_user(people.alice).get("/staff/stations/reports/").content.decode()
    assert 'href="/staff/stations/reports/" class="current" aria-current="page"' in html
    assert 'href="/staff/stations/" class="current"' not in html

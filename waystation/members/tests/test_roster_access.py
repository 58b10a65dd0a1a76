"""Roster import: who may upload, see and commit (outsiders get 404)."""

import io

import pytest

from waystation.jobs import runner
from waystation.jobs.models import Job
from waystation.members import roster
from waystation.members.demo import roster_sample, roster_xlsx
from waystation.members.models import RosterImport


@pytest.fixture
def imp(people, orgs):
    f = roster_xlsx([*roster_sample(5, seed=2), ["A1", "x", "1", "", "", ""]])
    imp = roster.roster_upload(user=people.alice, unit=orgs["tianning"], filename="r.xlsx", data=f)
    runner.run_until_empty()  # the validation job
    imp.refresh_from_db()
    return imp


def pages(imp):
    return [
        f"/staff/imports/{imp.pk}/",
        f"/staff/imports/{imp.pk}/errors.xlsx",
    ]


def test_colleague_of_the_same_unit_and_city_staff_see_the_import(people, as_user, imp):
    for who in (people.bob, people.carl, people.admin):
        for url in pages(imp):
            assert as_user(who).get(url).status_code == 200, (who, url)


@pytest.mark.parametrize("who", ["charlie", "dora", "olga", "lily"])
def test_staff_of_another_unit_cannot_see_or_commit_an_import(people, as_user, imp, who):
    client = as_user(people[who])
    for url in pages(imp):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/staff/imports/{imp.pk}/commit/").status_code == 404
    assert not Job.objects.filter(kind=roster.JOB_KIND).exists()
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.VALIDATED


@pytest.mark.parametrize("who", ["charlie", "dora", "olga", "lily"])
def test_the_commit_service_refuses_staff_who_do_not_see_the_import(people, imp, who):
    """The page's 404 above comes from the view's fetch; the service asks for itself."""
    from waystation.accounts.access import NotInScope

    with pytest.raises(NotInScope):
        roster.roster_commit_start(imp=imp, user=people[who])
    assert not Job.objects.filter(kind=roster.JOB_KIND).exists()
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.VALIDATED


def test_the_upload_service_refuses_a_unit_outside_the_uploaders_scope(people, orgs):
    from waystation.accounts.access import NotInScope

    data = roster_xlsx(roster_sample(2, seed=1, district="钟楼区"))
    for who in ("alice", "dora", "lily", "olga"):
        with pytest.raises(NotInScope):
            roster.roster_upload(
                user=people[who], unit=orgs["zhonglou"], filename="r.xlsx", data=data
            )
    assert not RosterImport.objects.exists()


def test_list_shows_only_imports_in_scope(people, as_user, imp):
    assert "r.xlsx" in as_user(people.bob).get("/staff/imports/").content.decode()
    assert "r.xlsx" not in as_user(people.charlie).get("/staff/imports/").content.decode()


def test_staff_cannot_upload_into_a_unit_outside_their_scope(people, as_user, orgs):
    f = io.BytesIO(roster_xlsx(roster_sample(2, seed=1, district="钟楼区")))
    f.name = "r.xlsx"
    r = as_user(people.alice).post("/staff/imports/", {"unit": orgs["zhonglou"].pk, "file": f})
    assert r.status_code == 400
    assert not RosterImport.objects.exists()


def test_outsiders_get_404_and_anonymous_the_login_page(people, as_user, client):
    assert as_user(people.olga).get("/staff/imports/").status_code == 404
    assert as_user(people.lily).get("/staff/imports/template.xlsx").status_code == 404
    r = client.get("/staff/imports/")
    assert r.status_code == 302 and "login" in r.url


def test_upload_form_offers_only_units_in_scope(people, as_user, orgs):
    page = as_user(people.dora).get("/staff/imports/").content.decode()
    assert orgs["food_delivery"].name in page and orgs["tianning"].name not in page


def test_list_costs_the_same_queries_for_one_import_as_for_three(people, as_user, orgs, imp):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(people.bob)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/staff/imports/").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    data = roster_xlsx(roster_sample(2, seed=9))
    for _ in range(2):
        roster.roster_upload(user=people.alice, unit=orgs["tianning"], filename="x.xlsx", data=data)
    assert queries() == one
    assert client.get("/staff/imports/").content.decode().count(">x.xlsx</a>") == 2

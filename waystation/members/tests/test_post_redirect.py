"""Post/Redirect/Get on the members pages: each successful POST answers 302 to the page that
shows its result (core/tests/test_prg_coverage.py checks every page taking a POST has one)."""

import io
from urllib.parse import quote

import pytest
from django.test import Client

from waystation.members.cards import card_token
from waystation.members.demo import roster_sample, roster_xlsx
from waystation.members.middleware import SESSION_KEY
from waystation.members.models import Campaign, Member, RosterImport
from waystation.members.tests.factories import make_member


@pytest.mark.prg("members:logout")
def test_signing_out_redirects_to_sign_in(orgs):
    member = make_member()
    c = Client()
    session = c.session
    session[SESSION_KEY] = member.pk
    session.save()
    r = c.post("/me/logout/")
    assert (r.status_code, r["Location"]) == (302, "/me/login/")
    assert SESSION_KEY not in c.session


@pytest.mark.prg("members:staff_list")
def test_an_exact_search_redirects_to_the_list_by_hash_not_by_phone(people, as_user):
    r = as_user(people.alice).post("/staff/members/?status=active", {"q": "13812345678"})
    assert r.status_code == 302
    assert r["Location"].startswith("/staff/members/?status=active&qh=")
    assert "13812345678" not in r["Location"]


@pytest.mark.prg("members:status")
def test_changing_a_status_redirects_to_the_member(people, as_user):
    m = make_member(district="tianning")
    r = as_user(people.alice).post(
        f"/staff/members/{m.member_number}/status/", {"status": "lapsed", "reason": "长期未缴费"}
    )
    assert (r.status_code, r["Location"]) == (302, f"/staff/members/{m.member_number}/")
    m.refresh_from_db()
    assert m.status == Member.Status.LAPSED


@pytest.mark.prg("members:transfer")
def test_a_transfer_redirects_to_the_member(people, as_user, orgs):
    m = make_member(district="tianning")
    r = as_user(people.carl).post(
        f"/staff/members/{m.member_number}/transfer/",
        {"union": orgs["tianning"].pk, "reason": "转入区总工会"},
    )
    assert (r.status_code, r["Location"]) == (302, f"/staff/members/{m.member_number}/")
    m.refresh_from_db()
    assert m.union == orgs["tianning"]


@pytest.mark.prg("members:card_verify")
def test_a_posted_card_token_is_looked_up_by_get(people, as_user):
    m = make_member(district="tianning")
    token = card_token(m.member_number)
    c = as_user(people.alice)
    r = c.post("/staff/card/verify/", {"t": token})
    assert (r.status_code, r["Location"]) == (302, f"/staff/card/verify/?t={quote(token)}")
    assert "有效会员" in c.get(r["Location"]).content.decode()


@pytest.mark.prg("members:campaigns")
def test_creating_a_campaign_redirects_to_the_campaigns(people, as_user, orgs):
    r = as_user(people.alice).post(
        "/staff/campaigns/",
        {"code": "tianning-2026", "name": "天宁驿站入会", "owner_kind": "station",
         "unit": orgs["tianning"].pk},
    )  # fmt: skip
    assert (r.status_code, r["Location"]) == (302, "/staff/campaigns/")
    assert Campaign.objects.filter(code="tianning-2026").exists()


def _upload(client, unit):
    f = io.BytesIO(roster_xlsx(roster_sample(3, seed=1)))
    f.name = "roster.xlsx"
    return client.post("/staff/imports/", {"unit": unit.pk, "file": f})


@pytest.mark.prg("members:imports")
def test_uploading_a_roster_redirects_to_its_preview(people, as_user, orgs):
    r = _upload(as_user(people.alice), orgs["tianning"])
    imp = RosterImport.objects.get()
    assert (r.status_code, r["Location"]) == (302, f"/staff/imports/{imp.pk}/")


@pytest.mark.prg("members:import_commit")
def test_committing_a_roster_redirects_to_its_progress(people, as_user, orgs):
    c = as_user(people.alice)
    _upload(c, orgs["tianning"])
    imp = RosterImport.objects.get()
    r = c.post(f"/staff/imports/{imp.pk}/commit/")
    assert (r.status_code, r["Location"]) == (302, f"/staff/imports/{imp.pk}/")
    imp.refresh_from_db()
    assert imp.job is not None

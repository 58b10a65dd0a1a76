"""Session-authenticated writes on the API need a CSRF token (members and staff alike); the
platform endpoint takes its token only from the Authorization header, never from cookies."""

import json

import pytest
from django.test import Client

from waystation.aid.models import Claim
from waystation.aid.tests.conftest import claim_data
from waystation.members.middleware import SESSION_KEY


def _csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _member_csrf_client(member) -> Client:
    c = _csrf_client()
    s = c.session
    s[SESSION_KEY] = member.pk
    s.save()
    return c


def _token(c: Client) -> str:
    c.get("/me/login/")  # any page with a form sets the CSRF cookie
    return c.cookies["csrftoken"].value


def _claim_body(enrolment) -> str:
    data = claim_data(enrolment)
    data["incident_date"] = data["incident_date"].isoformat()
    return json.dumps(data)


def test_member_claim_post_without_csrf_token_is_refused(enrolment, rider):
    c = _member_csrf_client(rider)
    r = c.post("/api/v1/aid/claims", _claim_body(enrolment), "application/json")
    assert r.status_code == 403
    assert not Claim.objects.exists()


def test_member_claim_post_with_csrf_token_is_accepted(enrolment, rider):
    c = _member_csrf_client(rider)
    r = c.post(
        "/api/v1/aid/claims",
        _claim_body(enrolment),
        "application/json",
        headers={"X-CSRFToken": _token(c)},
    )
    assert r.status_code == 201, r.content


def test_staff_approve_without_csrf_token_is_refused(ready_claim, people):
    c = _csrf_client()
    c.force_login(people.carl)
    r = c.post(
        f"/api/v1/aid/claims/{ready_claim.number}/approve",
        "{}",
        "application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert r.status_code == 403
    assert not ready_claim.payouts.exists()


@pytest.mark.parametrize("who", ["member", "liaison"])
def test_platform_confirmation_ignores_session_cookies(claim, rider, people, who):
    if who == "member":
        c = _member_csrf_client(rider)
    else:
        c = _csrf_client()
        c.force_login(people.lily)  # 美团's liaison, signed in on the web
    r = c.post(
        f"/api/v1/aid/claims/{claim.number}/platform-confirmation",
        json.dumps({"working": True}),
        "application/json",
        headers={"X-CSRFToken": _token(c)},
    )
    assert r.status_code == 401
    claim.refresh_from_db()
    assert claim.platform_status == Claim.PlatformStatus.PENDING

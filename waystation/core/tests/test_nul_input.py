"""A NUL character anywhere in the input (path, query, form, JSON) is a 400, never a 500:
PostgreSQL text cannot hold it, so it must be refused before it reaches a query."""

import json

import pytest
from django.test import Client

from waystation.aid.tests.conftest import make_member


@pytest.fixture
def staff(people):
    c = Client(raise_request_exception=False)
    c.force_login(people.carl)
    return c


@pytest.mark.parametrize(
    "url",
    [
        "/stations/%00/",
        "/staff/members/%00/",
        "/staff/members/?status=%00",
        "/staff/aid/claims/%00/",
        "/staff/stations/?q=a%00b",
        "/api/v1/aid/claims/%00",
        "/api/v1/members/CZ%0000000001",
        "/api/v1/stations?service=%00",
    ],
)
def test_nul_in_path_or_query_is_400(staff, url):
    assert staff.get(url).status_code == 400


def test_nul_in_a_form_field_is_400(staff, people, orgs):
    make_member("CZ00000001")
    r = staff.post(
        "/staff/aid/condolences/",
        {"member": "CZ00000001", "goods": "米\x00油", "goods_yuan": "300", "cash_yuan": "0",
         "reason": "慰问", "approver": people.carl.pk},
    )  # fmt: skip
    assert r.status_code == 400


@pytest.mark.parametrize("field", ["campaign", "platform", "name"])
def test_nul_in_a_json_field_is_400_with_errors(orgs, field):
    body = {"campaign": "c", "name": "王小明", "id_number": "1", "phone": "1", "sms_code": "1",
            "industry": "express", "platform": "sf", "district": "wujin",
            "consent_version": "x"}  # fmt: skip
    body[field] = "a\x00"
    c = Client(raise_request_exception=False)
    r = c.post("/api/v1/join", json.dumps(body), "application/json")
    assert r.status_code == 400
    assert "errors" in r.json() or "detail" in r.json()


def test_nul_in_an_api_form_field_is_400(orgs):
    from waystation.stations.models import Station

    Station.objects.create(code="S1", name="驿站", district_id="tianning", lon=119.97, lat=31.81,
                           status="open", is_24h=True)  # fmt: skip
    r = Client().post("/api/v1/stations/S1/reports", {"category": "other", "text": "坏\x00了"})
    assert r.status_code == 400


def test_a_form_posted_to_a_json_endpoint_is_400(orgs):
    r = Client(raise_request_exception=False).post("/api/v1/join", {"name": "王小明"})
    assert r.status_code == 400

"""Every staff page a role can reach renders; every other answers 404 (never 403, never 500)."""

import pytest

from waystation.core import nav
from waystation.members.tests.factories import make_member

PEOPLE = ["alice", "charlie", "dora", "carl", "admin", "olga", "lily", "kim"]

# What each staff page answers each person: 200, or 404 outside their roles (never 403, and no
# redirect for someone signed in). kim keeps a 天宁 station.
STATUS = {
    #                              alice charlie dora carl admin olga lily kim
    "/staff/":                     (200, 200,    200, 200, 200,  404, 200, 200),
    "/staff/members/":             (200, 200,    200, 200, 200,  404, 404, 404),
    "/staff/campaigns/":           (200, 200,    200, 200, 200,  404, 404, 404),
    "/staff/imports/":             (200, 200,    200, 200, 200,  404, 404, 404),
    "/staff/stats/":               (200, 200,    200, 200, 200,  404, 404, 404),
    "/staff/card/verify/":         (200, 200,    200, 200, 200,  404, 404, 200),
    "/staff/audit/":               (404, 404,    404, 404, 200,  404, 404, 404),
    "/staff/notices/":             (404, 404,    404, 200, 200,  404, 404, 404),
    "/staff/notices/new/":         (404, 404,    404, 200, 200,  404, 404, 404),
    "/staff/planning/":            (200, 200,    200, 200, 200,  404, 404, 404),
    "/staff/stations/":            (200, 200,    200, 200, 200,  404, 404, 200),
    "/staff/stations/reports/":    (200, 200,    200, 200, 200,  404, 404, 200),
    "/staff/stations/map/":        (200, 200,    200, 200, 200,  404, 404, 200),
    "/staff/aid/claims/":          (200, 200,    200, 200, 200,  404, 200, 404),
    "/staff/aid/payouts/":         (404, 404,    404, 200, 200,  404, 404, 404),
    "/staff/aid/plans/":           (200, 200,    200, 200, 200,  404, 404, 404),
    "/staff/aid/condolences/":     (200, 200,    200, 200, 200,  404, 404, 404),
    "/staff/aid/stats/":           (200, 200,    200, 200, 200,  404, 404, 404),
    "/staff/org/":                 (404, 404,    404, 404, 200,  404, 404, 404),
    "/staff/org/320400/":          (404, 404,    404, 404, 200,  404, 404, 404),
    "/staff/org/vocabulary/":      (404, 404,    404, 404, 404,  404, 404, 404),
}  # fmt: skip


@pytest.fixture
def everyone(people, kim):
    return {**people, "kim": kim}


@pytest.mark.parametrize("who", PEOPLE)
def test_each_staff_page_answers_each_role_with_its_one_status(who, everyone, as_user):
    make_member(district="tianning")
    user = everyone[who]
    c = as_user(user)
    column = PEOPLE.index(who)
    assert {url: c.get(url).status_code for url in STATUS} == {
        url: row[column] for url, row in STATUS.items()
    }
    # what the nav offers a role is in the table, and the role can open it
    for item in nav.items_for(user):
        assert STATUS[item["url"]][column] == 200, item


def test_public_pages_render_for_anonymous_visitors(client, orgs):
    for url in ("/", "/stations/", "/me/login/", "/staff/login/", "/api/v1/openapi.json"):
        assert client.get(url).status_code == 200, url


def test_openapi_document_lists_the_endpoints_of_every_app(client, orgs):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/sms/send", "/api/v1/join", "/api/v1/members/{member_number}",
                 "/api/v1/stations", "/api/v1/stations/nearest", "/api/v1/aid/claims"):  # fmt: skip
        assert path in paths, path


def test_static_files_are_served_without_debug_or_collectstatic(client, settings):
    """`make run` serves with DEBUG off: CSS, Leaflet and ECharts must still load."""
    assert settings.DEBUG is False
    for path in ("/static/css/site.css", "/static/vendor/leaflet/leaflet.js",
                 "/static/vendor/echarts/echarts.min.js", "/static/js/site.js"):  # fmt: skip
        r = client.get(path)
        assert r.status_code == 200, path

"""Every staff page a role can reach renders; every other answers 404 (never 403, never 500)."""

import pytest

from waystation.accounts.access import scope_of
from waystation.core import nav
from waystation.members.tests.factories import make_member

PAGES = ["/staff/", "/staff/members/", "/staff/campaigns/", "/staff/imports/", "/staff/stats/",
         "/staff/card/verify/", "/staff/audit/", "/staff/planning/"]  # fmt: skip


@pytest.mark.parametrize("who", ["alice", "charlie", "dora", "carl", "admin", "olga", "lily"])
def test_staff_pages_render_or_404_for_every_role(who, people, as_user):
    make_member(district="tianning")
    user = people[who]
    c = as_user(user)
    urls = PAGES + [item["url"] for item in nav.items_for(scope_of(user))]
    for url in urls:
        r = c.get(url)
        assert r.status_code in (200, 302, 404), (url, r.status_code)
    # what the nav offers a role, the role can open
    for item in nav.items_for(scope_of(user)):
        assert c.get(item["url"]).status_code == 200, item


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

"""One answer for every refusal: NotInScope, raised by a service, is a 404 for pages (the
middleware) and for the API (its handler), never Django's 403 for a PermissionDenied. And the
staff navigation shows each item by the same can_* rule of the app that guards its page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from waystation.accounts.access import NotInScope, Role, scope_of
from waystation.core import nav
from waystation.core.middleware import NotInScopeMiddleware


def test_not_in_scope_is_a_permission_denied():
    assert issubclass(NotInScope, PermissionDenied)


def test_the_middleware_turns_not_in_scope_into_404_and_leaves_other_errors_alone():
    middleware = NotInScopeMiddleware(lambda request: None)
    request = RequestFactory().post("/staff/aid/claims/HZ1/approve/")
    with pytest.raises(Http404):
        middleware.process_exception(request, NotInScope())
    assert middleware.process_exception(request, PermissionDenied()) is None
    assert middleware.process_exception(request, ValueError()) is None


def test_the_middleware_is_installed(settings):
    assert "waystation.core.middleware.NotInScopeMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize(
    ("url_name", "rule"),
    [
        ("stations:staff_list", "waystation.stations.access.can_see_stations"),
        ("stations:staff_reports", "waystation.stations.access.can_see_stations"),
        ("stations:staff_map", "waystation.stations.access.can_see_stations"),
        ("aid:staff_claims", "waystation.aid.access.can_see_claims"),
        ("aid:payouts", "waystation.aid.access.can_approve_claims"),
        ("aid:plans", "waystation.aid.access.can_work_on_aid"),
        ("aid:condolences", "waystation.aid.access.can_work_on_aid"),
        ("aid:stats", "waystation.aid.access.can_work_on_aid"),
        ("planner:index", "waystation.planner.access.can_plan"),
        ("core:audit_log", "waystation.accounts.access.can_read_audit_log"),
        ("core:notices", "waystation.core.access.can_edit_notices"),
    ],
)
def test_each_nav_item_shows_by_its_apps_access_rule(url_name, rule):
    (item,) = [i for i in nav._ITEMS if i.url_name == url_name]
    assert f"{item.visible.__module__}.{item.visible.__qualname__}" == rule


def test_the_nav_offers_what_the_rules_allow(people, kim):
    urls = {who: {i["url"] for i in nav.items_for(u)} for who, u in {**people, "kim": kim}.items()}
    assert urls["kim"] == {
        "/staff/stations/",
        "/staff/stations/map/",
        "/staff/stations/reports/",
        "/staff/card/verify/",
    }
    assert urls["lily"] == {"/staff/aid/claims/"}
    assert "/staff/aid/payouts/" in urls["carl"] and "/staff/aid/payouts/" not in urls["alice"]
    assert urls["olga"] == set()


def test_scope_roles_are_role_members(people, kim):
    assert scope_of(kim).roles == {Role.STATION_KEEPER}
    assert all(type(r) is Role for u in people.values() for r in scope_of(u).roles)

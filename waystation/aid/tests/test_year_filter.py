"""The claims list and statistics take any year filter without a 500."""

import pytest


@pytest.mark.parametrize("year", ["abc", "2026x", "9" * 30])
@pytest.mark.parametrize("url", ["/staff/aid/claims/", "/staff/aid/stats/"])
def test_bad_year_filter_is_not_a_500(claim, people, as_user, url, year):
    assert as_user(people.carl).get(url, {"year": year}).status_code == 200


def test_year_filter_still_filters_the_claims_list(claim, people, as_user):
    c = as_user(people.carl)
    assert claim.number in c.get("/staff/aid/claims/", {"year": "2026"}).content.decode()
    assert claim.number not in c.get("/staff/aid/claims/", {"year": "2025"}).content.decode()
    assert claim.number not in c.get("/staff/aid/claims/", {"year": "abc"}).content.decode()

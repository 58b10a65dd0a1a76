"""The staff member pages stay cheap at a province's size (benchmarks/scale.py): the list never
reads a district's or a city's polygon (50 rows of boundary JSON were most of the page's time; it
shows names only), and the statistics count from indexes, not from member rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from waystation.members.tests.factories import make_member


def test_the_member_list_reads_no_district_or_city_polygon(people, as_user):
    member = make_member(name="李四")
    client = as_user(people.carl)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/staff/members/")
    assert r.status_code == 200
    assert [m.pk for m in r.context["page"]] == [member.pk]
    assert member.work_district.name in r.content.decode()  # the name is still shown
    read = [q["sql"] for q in ctx.captured_queries if '"boundary"' in q["sql"]]
    assert read == []


def test_the_joins_per_week_are_counted_from_the_city_and_date_alone(people, as_user):
    """COUNT(*) rather than COUNT(id): PostgreSQL answers from the (city, joined_at) index
    without reading the member rows, which at a province's size are a city's rows scattered
    among every other city's (benchmarks/scale.py)."""
    make_member(name="李四")
    with CaptureQueriesContext(connection) as ctx:
        r = as_user(people.carl).get("/staff/stats/")
    assert r.status_code == 200
    assert sum(w["n"] for w in r.context["stats"]["joins_per_week"]) == 1
    weekly = [q["sql"] for q in ctx.captured_queries if "DATE_TRUNC" in q["sql"].upper()]
    assert len(weekly) == 1
    assert "COUNT(*)" in weekly[0]

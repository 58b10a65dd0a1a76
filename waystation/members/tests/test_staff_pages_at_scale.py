"""The staff member pages stay cheap at a province's size (benchmarks/scale.py): the list never
reads a district's or a city's polygon (50 rows of boundary JSON were most of the page's time; it
shows names only), and the statistics count from the member rollups, not from member rows."""

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


def test_the_statistics_read_the_rollups_not_the_members(people, as_user):
    """Counting members per request was a pass over a city's rows for each of 7 figures (627 ms at
    江苏 size, benchmarks/scale.py); the rollups hold a few hundred rows per city."""
    for i in range(3):
        make_member(name=f"李{i}")
    with CaptureQueriesContext(connection) as ctx:
        r = as_user(people.carl).get("/staff/stats/")
    assert r.status_code == 200
    assert r.context["stats"]["total"] == 3
    assert sum(w["n"] for w in r.context["stats"]["joins_per_week"]) == 3
    read = [q["sql"] for q in ctx.captured_queries if '"members_member"' in q["sql"]]
    assert read == []
    counts = [q["sql"] for q in ctx.captured_queries if "tally" in q["sql"]]
    assert len(counts) == 7  # total, union, district, industry, platform, channel, weeks

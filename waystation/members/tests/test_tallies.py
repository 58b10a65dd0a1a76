"""The member rollups equal a direct count of the members after every kind of write: a join, a
status change, a transfer within the city and to another, platforms added and taken away, bulk
inserts and updates, deletes, a roster import; and the statistics page reads them in the staff
member's scope."""

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from waystation.accounts.models import Platform
from waystation.aid.services import enrolment_gift_bulk, plans_ensure_examples
from waystation.members import services
from waystation.members.demo import roster_sample
from waystation.members.models import Member, MemberJoinTally, MemberPlatformTally, MemberTally
from waystation.members.selectors import member_stats
from waystation.members.tallies import tallies_differences, tallies_rebuild

from .factories import make_member
from .test_join import (
    campaign,  # noqa: F401  (a fixture)
    join,
    send_code,
)
from .test_roster_commit import commit, upload

SHANGHAI = ZoneInfo("Asia/Shanghai")


def assert_equal_to_members():
    diffs = tallies_differences()
    assert diffs == {"MemberTally": [], "MemberJoinTally": [], "MemberPlatformTally": []}


def tally(**key) -> int:
    return sum(t.n for t in MemberTally.objects.filter(**key))


@pytest.fixture
def members(people):
    a = make_member(name="甲", district="tianning", industry="express")
    b = make_member(name="乙", district="tianning", industry="food_delivery")
    c = make_member(name="丙", district="wujin", industry="express")
    return a, b, c


def test_a_member_written_one_way_or_another_is_counted(members, orgs, people):
    a, b, _ = members
    assert tally(work_district_id="tianning", status="active") == 2
    assert_equal_to_members()

    services.member_set_status(member=a, status="lapsed", reason="停缴", actor=people.carl)
    assert tally(work_district_id="tianning", status="active") == 1
    assert tally(work_district_id="tianning", status="lapsed") == 1
    assert_equal_to_members()

    services.member_transfer(member=b, union=orgs["wujin"], reason="调动", actor=people.carl)
    b.refresh_from_db()
    assert b.work_district_id == "wujin"
    assert tally(work_district_id="wujin") == 2
    assert_equal_to_members()

    # one statement over several rows (the roster import below inserts in bulk)
    Member.objects.filter(work_district_id="wujin").update(channel=Member.Channel.IMPORT)
    assert tally(channel=Member.Channel.IMPORT) == 2
    assert_equal_to_members()

    Member.objects.filter(pk=a.pk).delete()
    assert tally(work_district_id="tianning") == 0
    assert_equal_to_members()


def test_platforms_added_and_taken_away_move_the_platform_counts(members, people):
    a, b, _ = members
    meituan, eleme = Platform.objects.filter(industry="food_delivery").order_by("pk")[:2]
    b.platforms.add(meituan, eleme)
    a.platforms.add(meituan)
    per_platform = dict(
        MemberPlatformTally.objects.values("platform_id")
        .annotate(n=Sum("n"))
        .values_list("platform_id", "n")
    )
    assert per_platform == {meituan.pk: 2, eleme.pk: 1}
    assert_equal_to_members()

    b.platforms.remove(eleme)
    services.member_set_status(member=a, status="withdrawn", reason="离职", actor=people.carl)
    assert_equal_to_members()
    assert (
        sum(
            MemberPlatformTally.objects.filter(platform=meituan, status="active").values_list(
                "n", flat=True
            )
        )
        == 1
    )

    b.platforms.clear()
    a.delete()  # its platform rows go first, then the member: counted off once
    assert_equal_to_members()


def test_a_member_and_its_platforms_written_in_either_order_in_one_transaction(people):
    """Django writes the member first; a raw import could write the platform rows first (the
    foreign key is deferred): the rollups count the pair once either way."""
    m = make_member(name="戊", district="tianning", industry="food_delivery")
    platform = Platform.objects.filter(industry="food_delivery").first()
    Through = Member.platforms.through
    with transaction.atomic():
        Through.objects.create(member_id=m.pk, platform=platform)
        Member.objects.filter(pk=m.pk).update(status="lapsed")
    assert_equal_to_members()
    with transaction.atomic():  # the member goes first, its platform rows after it
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("DELETE FROM members_member_platforms WHERE member_id = %s", [m.pk])
        Member.objects.filter(pk=m.pk).update(status="active")
    assert_equal_to_members()


def test_the_join_week_is_the_display_zones_monday(people):
    # Sunday 23:30 in Shanghai is Sunday 15:30 UTC: the week of Monday 2026-11-23, not the next
    make_member(name="周日", joined_at=datetime(2026, 11, 29, 23, 30, tzinfo=SHANGHAI))
    # Monday 00:30 in Shanghai is still Sunday in UTC: the week of 2026-11-30
    make_member(name="周一", joined_at=datetime(2026, 11, 30, 0, 30, tzinfo=SHANGHAI))
    weeks = dict(MemberJoinTally.objects.values_list("week", "n"))
    assert {str(w): n for w, n in weeks.items()} == {"2026-11-23": 1, "2026-11-30": 1}
    assert_equal_to_members()


def test_a_join_through_the_page_is_counted(client, campaign):  # noqa: F811
    send_code(client)
    r = join(client)
    assert r.status_code in (200, 201), r.content
    assert tally(channel=Member.Channel.SCAN) == 1
    assert_equal_to_members()


def test_a_roster_import_and_a_bulk_gift_are_counted_with_every_row(people, orgs, as_user):
    alice = as_user(people.alice)
    imp = commit(alice, upload(alice, roster_sample(300, seed=3), orgs["tianning"]))
    assert imp.created_count == 300
    assert tally(channel=Member.Channel.IMPORT) == 300
    assert_equal_to_members()

    plan = plans_ensure_examples(2026, city=orgs["city"].city)[0]
    gift = enrolment_gift_bulk(
        plan=plan,
        unit=orgs["city"],
        member_ids=Member.objects.values_list("pk", flat=True),
        enrol_on=date(2026, 2, 1),
    )
    assert gift["created"] > 0  # enrolments, no member row changed: the counts stay right
    assert tally(channel=Member.Channel.IMPORT) == 300
    assert_equal_to_members()


def test_rebuild_recounts_what_the_triggers_missed(members):
    MemberTally.objects.update(n=0)  # as after restoring rollups from an older dump
    assert tallies_differences()["MemberTally"]
    assert tallies_rebuild()["MemberTally"] == MemberTally.objects.count()
    assert_equal_to_members()


def test_the_statistics_page_counts_from_the_rollups_in_scope(members, people, as_user):
    b = members[1]
    services.member_set_status(member=b, status="lapsed", reason="停缴", actor=people.carl)
    city = member_stats(people.carl)
    assert city["total"] == 2  # active only
    assert sum(r["n"] for r in city["joins_per_week"]) == 3  # every member's join
    district = member_stats(people.alice)  # 天宁区's staff
    assert district["total"] == 1
    assert [r["n"] for r in district["by_district"]] == [1]
    assert member_stats(None)["total"] == 0
    page = as_user(people.alice).get("/staff/stats/")
    assert page.status_code == 200
    assert page.context["stats"]["total"] == 1


def test_the_embedded_database_keeps_the_rollups_too(tmp_path: Path):
    """SQLite (the `make run` default) keeps the rollups by its own row triggers."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    script = """
from waystation.accounts.demo import changzhou_ensure
from waystation.accounts.models import Platform
from waystation.members.models import Member
from waystation.members.tests.factories import make_member
from waystation.members.tallies import tallies_differences
changzhou_ensure()
a = make_member(name="甲", district="tianning", industry="food_delivery")
b = make_member(name="乙", district="wujin", industry="express")
a.platforms.add(*Platform.objects.filter(industry="food_delivery")[:2])
Member.objects.filter(pk=b.pk).update(work_district_id="tianning", status="withdrawn")
a.platforms.remove(Platform.objects.filter(industry="food_delivery").first())
make_member(name="丙").delete()
diffs = tallies_differences()
assert all(not d for d in diffs.values()), diffs
print("ok", Member.objects.count())
"""
    for args in (["migrate", "-v0"], ["shell", "-c", script]):
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[3],
        )
        assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok 2")

"""A job's progress page is for its starter's scope: the starter, union colleagues on the same
unit, and union staff whose scope holds that unit (the city). Everybody else gets 404."""

import pytest

from waystation.jobs import runner


def _roster_job(user):
    """A roster import job as the import page queues it (it never runs here: not eager)."""
    return runner.job_enqueue(kind="members.roster_import", params={"import_id": 0}, user=user)


def _status(as_user, user, job) -> int:
    return as_user(user).get(f"/jobs/{job.pk}/").status_code


def _json_status(as_user, user, job) -> int:
    return as_user(user).get(f"/jobs/{job.pk}/", HTTP_ACCEPT="application/json").status_code


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("dora", 200),  # started it
        ("carl", 200),  # city union staff: the city holds every unit
        ("admin", 200),
        ("lily", 404),  # 美团 liaison whose role sits on the same 外卖送餐 unit
        ("alice", 404),  # 天宁 district: not the 外卖送餐 union
        ("charlie", 404),
        ("olga", 404),  # signed in, no role
    ],
)
def test_food_delivery_roster_job_is_seen_only_within_its_union(people, as_user, who, expected):
    job = _roster_job(people.dora)
    assert _status(as_user, people[who], job) == expected
    assert _json_status(as_user, people[who], job) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("alice", 200), ("bob", 200), ("carl", 200), ("charlie", 404), ("dora", 404), ("lily", 404)],
)
def test_district_job_is_seen_by_its_colleagues_and_the_city(people, as_user, who, expected):
    job = _roster_job(people.alice)
    assert _status(as_user, people[who], job) == expected


def test_a_city_job_is_not_seen_by_district_or_industry_staff(people, as_user):
    job = _roster_job(people.carl)
    assert _status(as_user, people.admin, job) == 200
    assert _status(as_user, people.alice, job) == 404
    assert _status(as_user, people.dora, job) == 404
    assert _status(as_user, people.lily, job) == 404

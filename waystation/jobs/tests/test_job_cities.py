"""A job is for one city: the city its caller names, else the one city its starter works in.
Its progress page keeps to that city: staff of 无锡 get 404 for a Changzhou job and Changzhou's
staff for a 无锡 one; pam of the province sees both."""

import pytest

from waystation.jobs import runner
from waystation.jobs.models import Job


def _job(user, **kw) -> Job:
    return runner.job_enqueue(
        kind="members.roster_import", params={"import_id": 0}, user=user, **kw
    )


def _status(as_user, user, job) -> int:
    return as_user(user).get(f"/jobs/{job.pk}/", HTTP_ACCEPT="application/json").status_code


def test_a_job_takes_the_city_of_its_starter_or_the_one_it_is_given(people, wuxi, wuxi_people):
    wx = wuxi["city"].city
    assert _job(people.alice).city.adcode == "320400"
    assert _job(wuxi_people.wes).city == wx
    assert _job(people.carl, city=wx).city == wx  # the caller names the city of the work
    assert Job.objects.create(kind="x", params={}, created_by=wuxi_people.wanda).city == wx


def test_a_job_for_no_city_is_refused(people, wuxi_people):
    """pam works in both cities of the province, olga in none, the system in none."""
    for user in (wuxi_people.pam, people.olga, None):
        with pytest.raises(ValueError, match="names the city it works for"):
            _job(user)
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("who", "cz_status", "wx_status"),
    [
        ("wanda", 404, 200),  # 无锡's city union
        ("wade", 404, 200),
        ("wes", 404, 200),  # 梁溪区: the 无锡 job's starter
        ("pam", 200, 200),  # the province sees both cities whole
        ("carl", 200, 404),
        ("admin", 200, 404),
        ("alice", 200, 404),  # the starter of the Changzhou job
        ("bob", 200, 404),  # her colleague on the 天宁 unit
    ],
)
def test_each_citys_jobs_are_seen_in_that_city_only(
    who, cz_status, wx_status, people, wuxi_people, as_user
):
    everyone = {**people, **wuxi_people}
    cz_job, wx_job = _job(people.alice), _job(wuxi_people.wes)
    seen = (_status(as_user, everyone[who], cz_job), _status(as_user, everyone[who], wx_job))
    assert seen == (cz_status, wx_status)


def test_district_colleagues_see_each_others_jobs_in_their_own_city(people, wuxi, wuxi_people):
    """wendy, on 梁溪区 beside wes, sees his jobs, not those of 天宁's alice and bob."""
    from django.contrib.auth import get_user_model

    from waystation.accounts.models import StaffRole
    from waystation.jobs.access import jobs_visible_to

    wendy = get_user_model().objects.create_user("wendy")
    StaffRole.objects.create(user=wendy, role=StaffRole.Role.UNION_STAFF, unit=wuxi["320213"])
    jobs = [_job(wuxi_people.wes), _job(people.alice), _job(people.bob), _job(wendy)]
    assert set(jobs_visible_to(wendy)) == {jobs[0], jobs[3]}
    assert set(jobs_visible_to(people.bob)) == {jobs[1], jobs[2]}

"""Staff sessions end after 8 hours without a request; members keep their 90-day session.

The clock is moved (django.utils.timezone.now, which the session store reads too), never slept.
"""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from waystation.accounts.sessions import LAST_SEEN
from waystation.members.middleware import SESSION_KEY as MEMBER_KEY
from waystation.members.tests.factories import make_member

PAGE = "/staff/members/"
LOGIN = "/staff/login/?next=/staff/members/"


@contextmanager
def clock_at(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def staff(client, people, start):
    with clock_at(start):
        client.force_login(people.alice)
        assert client.get(PAGE).status_code == 200
    return client


def test_a_staff_session_idle_8_hours_and_a_second_is_signed_out(staff, start):
    with clock_at(start + timedelta(hours=8, seconds=1)):
        r = staff.get(PAGE)
    assert r.status_code == 302 and r["Location"] == LOGIN


def test_a_staff_session_used_7_hours_later_is_not_and_the_limit_slides_on(staff, start):
    with clock_at(start + timedelta(hours=7)):
        assert staff.get(PAGE).status_code == 200
    with clock_at(start + timedelta(hours=14)):  # 7 h after the last request, 14 h after sign-in
        assert staff.get(PAGE).status_code == 200
    with clock_at(start + timedelta(hours=22, seconds=1)):
        assert staff.get(PAGE)["Location"] == LOGIN


def test_the_stored_session_and_cookie_expire_with_the_idle_limit(staff, start):
    row = Session.objects.get(session_key=staff.session.session_key)
    assert row.expire_date == start + timedelta(hours=8)
    with clock_at(start + timedelta(hours=7)):
        r = staff.get(PAGE)
    assert r.cookies["sessionid"]["max-age"] == 8 * 3600
    row.refresh_from_db()
    assert row.expire_date == start + timedelta(hours=15)


def test_the_idle_limit_is_a_setting(staff, start, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 30 * 60
    with clock_at(start + timedelta(minutes=31)):
        assert staff.get(PAGE)["Location"] == LOGIN


def test_a_staff_session_from_before_the_limit_existed_is_signed_out(staff, start):
    session = staff.session
    del session[LAST_SEEN]
    session.set_expiry(None)  # the old 90-day session
    session.save()
    with clock_at(start + timedelta(minutes=5)):
        assert staff.get(PAGE)["Location"] == LOGIN


def test_a_stale_staff_session_that_the_store_still_returns_is_signed_out(staff, start):
    session = staff.session
    session.set_expiry(None)  # a store that keeps it 90 days
    session.save()
    with clock_at(start + timedelta(hours=8, seconds=1)):
        assert staff.get(PAGE)["Location"] == LOGIN


def test_a_member_session_keeps_its_90_days(client, orgs, start):
    member = make_member(name="钱七", id_number="11010519491231002X")
    with clock_at(start):
        session = client.session
        session[MEMBER_KEY] = member.pk
        session.save()
    for later in (timedelta(hours=8, seconds=1), timedelta(days=89)):
        with clock_at(start + later):
            assert client.get("/me/card/").status_code == 200, later
    with clock_at(start + timedelta(days=90, seconds=1)):
        assert client.get("/me/card/").status_code == 302

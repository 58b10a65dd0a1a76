"""Post/Redirect/Get on the staff sign-in and sign-out (core/tests/test_prg_coverage.py)."""

import pytest


@pytest.mark.prg("core:login")
def test_staff_sign_in_redirects_to_the_workbench(client, people):
    r = client.post("/staff/login/", {"username": "alice", "password": "pw-alice"})
    assert (r.status_code, r["Location"]) == (302, "/staff/")


@pytest.mark.prg("core:logout")
def test_staff_sign_out_redirects_to_sign_in(people, as_user):
    c = as_user(people.alice)
    r = c.post("/staff/logout/")
    assert (r.status_code, r["Location"]) == (302, "/staff/login/")
    assert "_auth_user_id" not in c.session

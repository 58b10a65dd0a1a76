"""The staff detail page of a member: the member's history in one timeline (joining, transfers,
status changes here; check-ins and mutual aid in their apps' tests), and the status and
transfer controls, which change nothing unless staff choose a change."""

import pytest

from waystation.members import history, services
from waystation.members.models import Member
from waystation.members.tests.factories import make_member
from waystation.members.tests.html import FormState

pytestmark = pytest.mark.django_db


def _form(html: str, action: str) -> dict:
    return FormState(html.split(f'action="{action}"')[1].split("</form>")[0]).values


def test_the_status_and_transfer_controls_start_at_no_change(people, as_user, orgs):
    m = make_member(district="tianning")
    html = as_user(people.alice).get(f"/staff/members/{m.member_number}/").content.decode()
    assert _form(html, f"/staff/members/{m.member_number}/status/")["status"] == ""
    assert _form(html, f"/staff/members/{m.member_number}/transfer/")["union"] == ""
    assert 'value="active"' not in html.split("/status/")[1].split("</form>")[0]  # the current


def test_saving_the_controls_as_they_are_changes_nothing(people, as_user, orgs):
    m = make_member(district="tianning")
    c = as_user(people.alice)
    c.post(f"/staff/members/{m.member_number}/status/", {"status": "", "reason": "核对"})
    c.post(f"/staff/members/{m.member_number}/transfer/", {"union": "", "reason": "核对"})
    m.refresh_from_db()
    assert (m.status, m.union_id) == (Member.Status.ACTIVE, orgs["food_delivery"].pk)
    assert not m.transfers.exists()


def test_the_history_lists_joining_transfer_and_status_newest_first(people, orgs):
    m = make_member(district="tianning", industry="food_delivery")
    services.member_transfer(
        member=m, union=orgs["tianning"], district=None, reason="转入区总工会", actor=people.carl
    )
    services.member_set_status(member=m, status="lapsed", reason="长期未缴费", actor=people.alice)
    events = history.member_history(Member.objects.get(pk=m.pk))
    own = [(e.kind, e.title) for e in events if e.css in ("join", "transfer", "status")]
    assert own == [
        ("状态变更", "会员状态改为失效"),
        ("转会", "常州市外卖送餐行业工会 → 天宁区总工会"),
        ("入会", "加入常州市外卖送餐行业工会"),
    ]


def test_the_detail_page_shows_the_history(people, as_user, orgs):
    m = make_member(district="tianning")
    services.member_set_status(member=m, status="lapsed", reason="长期未缴费", actor=people.alice)
    html = as_user(people.alice).get(f"/staff/members/{m.member_number}/").content.decode()
    timeline = html.split('id="history"')[1].split("</ol>")[0]
    assert timeline.index("会员状态改为失效") < timeline.index("加入常州市外卖送餐行业工会")
    assert "alice：长期未缴费" in timeline

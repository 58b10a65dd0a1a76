"""Enrolment says what the plan covers, the amounts, who pays, the waiting period and when
cover ends before the tap, then asks to confirm on the server: the first tap enrols nobody."""

from datetime import date

import pytest

from waystation.aid.models import Enrolment
from waystation.aid.tests.test_api import member_client
from waystation.privacy.models import AuditLog


@pytest.fixture
def today(monkeypatch):
    day = date(2026, 3, 10)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    return day


def test_plan_terms_show_before_the_tap(plans, rider, today):
    plan = plans["accident"]
    plan.waiting_days = 30
    plan.save(update_fields=["waiting_days"])
    html = member_client(rider).get("/me/aid/").content.decode()
    section = html[html.index(f'id="plan-{plan.code}"') :]
    section = section[: section.index("</section>")]
    assert "工会赠送，本人不缴费" in section
    assert "30 天（等待期内发生的事故不予给付）" in section
    # joined on 3月10日: cover starts after the 30-day wait, ends with the plan year
    assert "2026年4月9日 至 2026年12月31日" in section
    assert "意外医疗费：扣除免赔额 ¥100 后报销 80%，每次最多 ¥10,000，每年最多 ¥20,000" in section
    assert "住院津贴：住院每天 ¥50，最多 60 天" in section
    assert "意外身故：给付 ¥100,000" in section


def test_first_tap_asks_to_confirm_and_enrols_nobody(plans, rider, today):
    plan = plans["accident"]
    r = member_client(rider).post(f"/me/aid/enrol/{plan.code}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="confirm"' in html and 'name="confirm" value="yes"' in html
    assert "确认参加“户外劳动者意外伤害互助保障”" in html
    assert "2026年3月10日 至 2026年12月31日" in html
    assert not Enrolment.objects.filter(member=rider).exists()
    assert not AuditLog.objects.filter(action="aid.enrol_self").exists()


def test_confirming_enrols_and_says_when_cover_ends(plans, rider, today):
    plan = plans["accident"]
    c = member_client(rider)
    r = c.post(f"/me/aid/enrol/{plan.code}/", {"confirm": "yes"}, follow=True)
    e = Enrolment.objects.get(member=rider)
    assert (e.covered_from, e.covered_to) == (date(2026, 3, 10), date(2026, 12, 31))
    assert "保障自 2026年3月10日 起，至 2026年12月31日 止" in r.content.decode()


def test_a_member_paid_plan_says_the_member_pays_and_how_much(plans, rider, today):
    plan = plans["accident"]
    plan.funding, plan.contribution_fen = "member", 3000
    plan.save(update_fields=["funding", "contribution_fen"])
    html = member_client(rider).post(f"/me/aid/enrol/{plan.code}/").content.decode()
    assert "会员本人缴费，每年 ¥30" in html


def test_a_plan_whose_wait_outlasts_the_year_is_not_offered(plans, rider, monkeypatch):
    day = date(2026, 11, 1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    illness = plans["illness"]  # 90 days' wait: from 11月1日 cover would start in 2027
    html = member_client(rider).get("/me/aid/").content.decode()
    assert f'id="plan-{illness.code}"' not in html
    assert f'id="plan-{plans["accident"].code}"' in html
    r = member_client(rider).post(f"/me/aid/enrol/{illness.code}/", {"confirm": "yes"}, follow=True)
    assert "等待期 90 天结束时本年度方案已到期，今年参加不能获得保障" in r.content.decode()
    assert not Enrolment.objects.filter(member=rider, plan=illness).exists()

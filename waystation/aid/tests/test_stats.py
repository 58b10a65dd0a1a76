"""Statistics: person-times, claims by status, amounts paid, by plan / year / platform /
district, within the viewer's scope; figures printed the way the report prints them."""

from datetime import date

import pytest
from django.template import Context, Template

from waystation.aid import services
from waystation.aid.selectors import aid_stats
from waystation.aid.tests.conftest import claim_data, exported, report_claim


@pytest.fixture
def small_year(ready_claim, other_rider, rider, plans, people, orgs):
    """2026: three person-times (the 天宁 rider in two plans, the 钟楼 rider in one), the 天宁
    claim paid ¥2,630, the 钟楼 claim waiting for 美团, a ¥5,000 condolence in 天宁."""
    services.enrolment_self(member=rider, plan=plans["illness"], today=date(2026, 1, 5))
    zhonglou = services.enrolment_self(
        member=other_rider, plan=plans["accident"], today=date(2026, 2, 1)
    )
    report_claim(other_rider, claim_data(zhonglou))
    payout = services.claim_approve(claim=ready_claim, actor=people.carl)
    exported(payout, people.carl)
    services.payout_mark_paid(payout=payout, bank_reference="ICBC-1", actor=people.carl)
    services.condolence_record(
        member=rider,
        visited_on=date(2026, 7, 1),
        cash_fen=500000,
        goods="",
        goods_value_fen=0,
        reason="重病慰问",
        approver=people.carl,
        actor=people.alice,
        unit=orgs["tianning"],
    )


def test_city_sees_every_figure(small_year, people):
    s = aid_stats(people.carl)
    assert (s["person_times"], s["claims_total"], s["claims_confirmed_paid"]) == (3, 2, 1)
    assert (s["paid_fen"], s["paid_count"], s["condolence_fen"]) == (263000, 1, 500000)
    assert s["enrol_by_year"] == [{"name": "2026", "n": 3}]
    assert s["enrol_by_plan"] == [
        {"name": "户外劳动者意外伤害互助保障", "n": 2},
        {"name": "职工重大疾病互助保障", "n": 1},
    ]
    assert sorted(s["claims_by_status"], key=lambda r: r["name"]) == [
        {"name": "已支付", "n": 1},
        {"name": "待区级审核", "n": 1},
    ]
    assert sorted(s["claims_by_district"], key=lambda r: r["name"]) == [
        {"name": "天宁区", "n": 1},
        {"name": "钟楼区", "n": 1},
    ]
    assert s["claims_by_platform"] == [{"name": "美团", "n": 2}]
    assert s["paid_by_plan"] == [{"name": "户外劳动者意外伤害互助保障", "n": 2630}]
    assert s["paid_by_year"] == [{"name": 2026, "n": 2630}]
    assert s["paid_by_platform"] == [{"name": "美团", "n": 2630}]
    assert s["paid_by_district"] == [{"name": "天宁区", "n": 2630}]


def test_district_staff_see_their_district_only(small_year, people):
    tianning, zhonglou = aid_stats(people.alice), aid_stats(people.charlie)
    assert (tianning["person_times"], tianning["claims_total"], tianning["paid_fen"]) == (
        2,
        1,
        263000,
    )
    assert (zhonglou["person_times"], zhonglou["claims_total"], zhonglou["paid_fen"]) == (1, 1, 0)
    assert (tianning["condolence_fen"], zhonglou["condolence_fen"]) == (500000, 0)
    assert aid_stats(people.olga)["person_times"] == 0


def test_year_filter_counts_only_that_year(small_year, people):
    s = aid_stats(people.carl, {"year": "2025"})
    assert (s["person_times"], s["claims_total"], s["paid_fen"]) == (0, 0, 0)
    assert aid_stats(people.carl, {"year": "2026"})["person_times"] == 3


def test_stats_page_prints_the_figures(small_year, people, as_user):
    html = as_user(people.carl).get("/staff/aid/stats/").content.decode()
    assert '<div class="figure" id="person-times">3</div>' in html
    assert '<div class="figure" id="confirmed-claims">1</div>' in html
    assert '<div class="figure" id="paid-amount">¥2,630</div>' in html
    assert "慰问金 ¥5,000" in html


def test_counts_are_grouped_by_thousands_in_chinese_too():
    # Django's zh-hans locale groups by nothing; waystation/formats/zh_Hans restores the comma
    template = Template("{% load humanize aid_tags %}{{ n|intcomma }} {{ f|yuan }}")
    assert template.render(Context({"n": 180686, "f": 280660000})) == "180,686 ¥2,806,600"

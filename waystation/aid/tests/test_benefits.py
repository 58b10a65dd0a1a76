"""The payable amount per benefit type, with literal expected amounts (fen) and explanations."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from waystation.aid import benefits, services
from waystation.aid.examples import ACCIDENT_SCHEDULE, GRADES

MEDICAL = ACCIDENT_SCHEDULE[0]  # ¥100 deductible, 80%, ¥10,000 per incident, ¥20,000 per year


def test_reimbursement_applies_deductible_and_ratio():
    line = benefits.item_amount(MEDICAL, {"amount": 320000})
    assert line.amount == 248000
    assert line.explanation == (
        "意外医疗费 ¥3,200 − 免赔 ¥100 = ¥3,100 × 80% = ¥2,480，单次上限 ¥10,000"
    )


def test_reimbursement_is_capped_per_incident():
    line = benefits.item_amount(MEDICAL, {"amount": 2000000})  # ¥20,000 of bills
    assert line.amount == 1000000
    assert line.explanation.endswith("单次上限 ¥10,000，应付 ¥10,000")


def test_reimbursement_is_capped_per_year():
    line = benefits.item_amount(MEDICAL, {"amount": 1000000}, paid_this_year=1500000)
    # (10,000 − 100) × 80% = 7,920, but only 20,000 − 15,000 = 5,000 remain this year
    assert line.amount == 500000
    assert "年度上限 ¥20,000 已用 ¥15,000，尚余 ¥5,000" in line.explanation


def test_reimbursement_below_deductible_pays_nothing():
    assert benefits.item_amount(MEDICAL, {"amount": 8000}).amount == 0


def test_reimbursement_rounds_half_up_to_the_fen():
    item = dict(MEDICAL, deductible=0, ratio=75)
    assert benefits.item_amount(item, {"amount": 333}).amount == 250  # 249.75 → 250


def test_daily_allowance_is_capped_in_days():
    item = ACCIDENT_SCHEDULE[1]  # ¥50 a day, at most 60 days
    assert benefits.item_amount(item, {"days": 12}).amount == 60000
    line = benefits.item_amount(item, {"days": 75})
    assert line.amount == 300000
    assert line.explanation == "住院津贴 住院 75 天，最多 60 天：60 天 × ¥50 = ¥3,000"


def test_disability_pays_the_grade_share_of_the_sum():
    item = ACCIDENT_SCHEDULE[2]  # ¥100,000; grade 1 = 100% … grade 10 = 10%
    assert benefits.item_amount(item, {"grade": 1}).amount == 10000000
    line = benefits.item_amount(item, {"grade": 8})
    assert line.amount == 3000000
    assert line.explanation == "意外伤残 8 级：保额 ¥100,000 × 30% = ¥30,000"


def test_death_and_fixed_sums():
    assert benefits.item_amount(ACCIDENT_SCHEDULE[3], {}).amount == 10000000
    fixed = {"code": "dx", "label": "重大疾病确诊", "type": "fixed", "amount": 2000000}
    assert benefits.item_amount(fixed, {}).explanation == "重大疾病确诊 定额 ¥20,000"


def test_compute_adds_up_the_items_asked_for():
    p = benefits.compute(
        ACCIDENT_SCHEDULE, {"medical": {"amount": 320000}, "hospital": {"days": 3}}
    )
    assert p.total == 248000 + 15000
    assert [x.code for x in p.lines] == ["medical", "hospital"]


def test_not_covered_pays_nothing_with_reason():
    p = benefits.compute(ACCIDENT_SCHEDULE, {"death": {}}, covered=False, not_covered_reason="x")
    assert (p.total, p.covered, p.lines[0].explanation) == (0, False, "x")


def test_yuan_formats_fen():
    assert benefits.yuan(280660000) == "¥2,806,600"
    assert benefits.yuan(12345) == "¥123.45"


@pytest.mark.parametrize(
    "schedule",
    [
        [],
        [
            {
                "code": "m",
                "label": "医疗",
                "type": "reimbursement",
                "deductible": 1.5,
                "ratio": 80,
                "cap_incident": 1,
                "cap_year": 1,
            }
        ],
        [
            {
                "code": "m",
                "label": "医疗",
                "type": "reimbursement",
                "deductible": 0,
                "ratio": 180,
                "cap_incident": 1,
                "cap_year": 1,
            }
        ],
        [{"code": "d", "label": "伤残", "type": "disability", "sum": 1, "grades": {"1": 100}}],
        [{"code": "x", "label": "x", "type": "lottery", "amount": 1}],
        [
            {"code": "a", "label": "a", "type": "death", "amount": 1},
            {"code": "a", "label": "b", "type": "death", "amount": 1},
        ],
    ],
)
def test_invalid_schedules_are_refused(schedule):
    with pytest.raises(ValidationError):
        benefits.validate_schedule(schedule)


def test_plan_save_refuses_a_bad_schedule(plans):
    plan = plans["accident"]
    plan.schedule = [{"code": "m", "type": "fixed"}]
    with pytest.raises(ValidationError):
        plan.save()


def test_grades_cover_one_to_ten():
    assert GRADES["1"] == 100 and GRADES["10"] == 10


def test_waiting_period_leaves_early_incidents_uncovered(plans, rider):
    illness = plans["illness"]  # 90 days' wait
    e = services.enrolment_self(member=rider, plan=illness, today=date(2026, 2, 1))
    assert e.covered_from == date(2026, 5, 2)
    assert services.coverage_on(rider, date(2026, 5, 1)) == []
    assert services.coverage_on(rider, date(2026, 5, 2)) == [e]


def test_claim_payable_amount_on_an_uncovered_date_is_zero(plans, rider):
    from waystation.aid.models import Claim

    e = services.enrolment_self(member=rider, plan=plans["illness"], today=date(2026, 2, 1))
    claim = Claim(enrolment=e, incident_date=date(2026, 3, 1), asks={"diagnosis": {}})
    p = claim.payable_amount()
    assert p.total == 0 and not p.covered
    assert "早于保障开始日 2026-05-02（含等待期 90 天）" in p.lines[0].explanation
    claim.incident_date = date(2026, 6, 1)
    assert claim.payable_amount().total == 2000000


def test_yearly_cap_counts_earlier_approved_claims(ready_claim, people, rider, enrolment):
    from waystation.aid.tests.conftest import attach_required, claim_data, report_claim

    ready_claim.asks = {"medical": {"amount": 2000000}}
    ready_claim.save(update_fields=["asks"])
    services.claim_approve(claim=ready_claim, actor=people.carl)  # ¥10,000 of ¥20,000 taken
    amounts = []
    for _ in range(2):
        c = report_claim(rider, claim_data(enrolment, asks={"medical": {"amount": 2000000}}))
        attach_required(c)
        services.claim_platform_confirm(
            claim=c, platform=c.platform, working=True, actor=people.lily
        )
        services.claim_review(claim=c, actor=people.alice)
        amounts.append(c.payable_amount().total)
        if amounts[-1]:
            services.claim_approve(claim=c, actor=people.carl)
    assert amounts == [1000000, 0]
    with pytest.raises(ValidationError, match="应付金额为 0"):
        services.claim_approve(claim=c, actor=people.carl)


def test_ceiling_of_each_item_type_is_its_own_cap():
    hospital, disability, death = ACCIDENT_SCHEDULE[1:4]
    assert benefits.item_ceiling(MEDICAL) == 1000000  # the incident cap
    assert benefits.item_ceiling(MEDICAL, paid_this_year=1500000) == 500000  # the year's rest
    assert benefits.item_ceiling(MEDICAL, paid_this_year=2500000) == 0
    assert benefits.item_ceiling(hospital) == 300000  # 60 days × ¥50
    assert benefits.item_ceiling(disability) == 10000000  # grade 1: 100% of the sum
    assert benefits.item_ceiling(death) == 10000000
    assert benefits.item_ceiling({"type": "fixed", "amount": 2000000}) == 2000000


def test_ceiling_counts_only_the_items_the_claim_asks_for():
    asks = {"medical": {"amount": 1}, "hospital": {"days": 1}}
    assert benefits.ceiling(ACCIDENT_SCHEDULE, asks) == 1300000
    assert benefits.ceiling(ACCIDENT_SCHEDULE, asks, paid_this_year={"medical": 1200000}) == 1100000
    assert benefits.ceiling(ACCIDENT_SCHEDULE, {}) == 0


def test_an_ask_has_the_shape_of_its_item_type():
    assert benefits.ask_checked({"type": "reimbursement"}, {"amount": 320000}) == {"amount": 320000}
    assert benefits.ask_checked({"type": "daily"}, {"days": 366}) == {"days": 366}
    assert benefits.ask_checked({"type": "daily"}, {}) == {"days": 0}
    assert benefits.ask_checked({"type": "disability"}, {"grade": "8"}) == {"grade": 8}
    assert benefits.ask_checked({"type": "fixed"}, {"amount": 5}) == {}
    assert benefits.ask_checked({"type": "death"}, None) == {}


@pytest.mark.parametrize(
    ("kind", "ask"),
    [
        ("reimbursement", {"amount": -1}),
        ("reimbursement", {"amount": "3200.5"}),
        ("daily", {"days": 367}),
        ("disability", {"grade": 0}),
        ("disability", {"grade": 11}),
        ("disability", {}),
        ("fixed", ["not", "a", "mapping"]),
    ],
)
def test_an_ask_out_of_shape_is_refused(kind, ask):
    with pytest.raises(ValueError):
        benefits.ask_checked({"type": kind}, ask)

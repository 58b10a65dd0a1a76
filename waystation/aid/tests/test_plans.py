"""Plans edited by city staff: every field, Chinese messages beside the fields, audited with a
reason, and nothing that was already paid changes when a plan does."""

import json
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from waystation.accounts.access import NotInScope
from waystation.aid import services
from waystation.aid.models import Plan
from waystation.aid.tests.conftest import claim_data, report_claim
from waystation.privacy.models import AuditLog

NEW_PLAN = {
    "code": "courier-2027",
    "name": "快递员意外互助",
    "kind": "accident",
    "year": "2027",
    "start_date": "2027-01-01",
    "end_date": "2027-12-31",
    "industries": ["express", "food_delivery"],
    "member_statuses": ["active", "lapsed"],
    "min_age": "18",
    "max_age": "60",
    "waiting_days": "30",
    "funding": "member",
    "contribution_yuan": "45.50",
    "self_enrol": "on",
    "schedule": '[{"code": "death", "label": "身故", "type": "death", "amount": 5000000}]',
    "note": "",
    "reason": "2027 年快递员方案",
}


def form_of(plan: Plan, **over) -> dict:
    """The edit form as the page posts it, from the plan's current values."""
    data = {
        "name": plan.name,
        "kind": plan.kind,
        "year": str(plan.year),
        "start_date": plan.start_date.isoformat(),
        "end_date": plan.end_date.isoformat(),
        "industries": plan.industries,
        "member_statuses": plan.member_statuses,
        "min_age": str(plan.min_age),
        "max_age": str(plan.max_age),
        "waiting_days": str(plan.waiting_days),
        "funding": plan.funding,
        "contribution_yuan": f"{plan.contribution_fen / 100:.2f}",
        "schedule": json.dumps(plan.schedule, ensure_ascii=False),
        "note": plan.note,
        "reason": "年度方案调整",
    }
    if plan.self_enrol:
        data["self_enrol"] = "on"
    if plan.is_example:
        data["is_example"] = "on"
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def field_html(html: str, name: str) -> str:
    match = re.search(rf'<div class="field" id="field-{name}">(.*?)</div>', html, re.S)
    assert match, name
    return match.group(1)


def test_city_staff_creates_a_plan_with_the_contribution_in_yuan_stored_in_fen(
    people, as_user, orgs
):
    r = as_user(people.carl).post("/staff/aid/plans/new/", NEW_PLAN)
    assert r.status_code == 302
    plan = Plan.objects.get(code="courier-2027")
    assert plan.contribution_fen == 4550
    assert (plan.industries, plan.member_statuses) == (
        ["express", "food_delivery"],
        ["active", "lapsed"],
    )
    assert (plan.min_age, plan.max_age, plan.waiting_days, plan.funding) == (18, 60, 30, "member")
    assert plan.schedule == [{"code": "death", "label": "身故", "type": "death", "amount": 5000000}]
    log = AuditLog.objects.get(action="aid.plan_create", object_id=str(plan.pk))
    assert (log.actor, log.reason) == (people.carl, "2027 年快递员方案")


@pytest.mark.parametrize("who", ["alice", "dora", "lily", "olga"])
def test_only_the_city_may_create_edit_or_copy_plans(who, people, as_user, plans):
    c = as_user(people[who])
    accident = plans["accident"]
    assert c.get("/staff/aid/plans/new/").status_code == 404
    assert c.post("/staff/aid/plans/new/", NEW_PLAN).status_code == 404
    assert c.get("/staff/aid/plans/accident-2026/").status_code == 404
    assert (
        c.post("/staff/aid/plans/accident-2026/", form_of(accident, name="改名")).status_code == 404
    )
    assert c.post("/staff/aid/plans/accident-2026/copy/", {"year": "2027"}).status_code == 404
    assert Plan.objects.filter(year=2027).count() == 0
    accident.refresh_from_db()
    assert accident.name == "户外劳动者意外伤害互助保障"
    with pytest.raises(NotInScope):
        services.plan_update(plan=accident, actor=people[who], reason="试试", name="改名")


def test_city_admin_and_city_staff_both_open_the_edit_page(people, as_user, plans):
    for who in ("admin", "carl"):
        r = as_user(people[who]).get("/staff/aid/plans/accident-2026/")
        assert r.status_code == 200, who
        assert 'value="30.00"' in r.content.decode()  # ¥30 per person, shown in yuan


def test_plan_form_shows_chinese_messages_beside_the_fields(people, as_user, orgs):
    bad = {
        **NEW_PLAN,
        "start_date": "2027-06-01",
        "end_date": "2027-01-01",
        "min_age": "70",
        "contribution_yuan": "0",
        "schedule": '[{"code": "x", "label": "", "type": "lottery"}]',
    }
    r = as_user(people.carl).post("/staff/aid/plans/new/", bad)
    assert r.status_code == 200
    html = r.content.decode()
    assert "结束日期不能早于开始日期" in field_html(html, "end_date")
    assert "最高年龄不能小于最低年龄" in field_html(html, "max_age")
    assert "会员自费的方案须填写每人缴费金额" in field_html(html, "contribution_yuan")
    schedule = field_html(html, "schedule")
    assert "第1项 缺少名称 label" in schedule and "第1项 类型 type 必须是" in schedule
    assert Plan.objects.count() == 0


def test_schedule_that_is_not_json_says_where(people, as_user, orgs):
    r = as_user(people.carl).post("/staff/aid/plans/new/", {**NEW_PLAN, "schedule": "[{,}]"})
    assert "不是合法的 JSON（第 1 行第 3 列）" in field_html(r.content.decode(), "schedule")


def test_edit_without_a_reason_is_refused(people, as_user, plans):
    r = as_user(people.carl).post(
        "/staff/aid/plans/accident-2026/", form_of(plans["accident"], name="新名称", reason="")
    )
    assert "这个字段是必填项" in field_html(r.content.decode(), "reason")
    with pytest.raises(ValidationError):
        services.plan_update(plan=plans["accident"], actor=people.carl, reason=" ", name="新名称")
    assert not AuditLog.objects.filter(action="aid.plan_update").exists()


def test_every_field_of_a_plan_without_enrolments_can_change_and_is_audited(people, plans):
    illness = plans["illness"]
    services.plan_update(
        plan=illness,
        actor=people.admin,
        reason="按 2026 年工会决议",
        name="职工大病互助",
        kind="special",
        year=2026,
        start_date=date(2026, 3, 1),
        end_date=date(2027, 2, 28),
        industries=["truck"],
        member_statuses=["active", "lapsed"],
        min_age=20,
        max_age=55,
        waiting_days=60,
        funding="gifted",
        contribution_fen=8000,
        self_enrol=False,
        is_example=False,
        schedule=[{"code": "diagnosis", "label": "确诊", "type": "fixed", "amount": 3000000}],
        note="正式方案",
    )
    illness.refresh_from_db()
    assert (illness.name, illness.kind, illness.end_date) == (
        "职工大病互助",
        "special",
        date(2027, 2, 28),
    )
    assert (illness.waiting_days, illness.contribution_fen, illness.is_example) == (60, 8000, False)
    log = AuditLog.objects.get(action="aid.plan_update")
    assert log.reason == "按 2026 年工会决议"
    assert log.detail["before"]["end_date"] == "2026-12-31"
    assert log.detail["after"]["end_date"] == "2027-02-28"
    assert log.detail["before"]["contribution_fen"] == 5000
    assert "code" not in log.detail["after"]


def test_plan_with_enrolments_refuses_new_dates_with_a_clear_message(people, as_user, enrolment):
    plan = enrolment.plan
    r = as_user(people.carl).post(
        "/staff/aid/plans/accident-2026/", form_of(plan, end_date="2026-06-30", waiting_days="7")
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "已有 1 人次参保，不能修改结束日期" in field_html(html, "end_date")
    assert "已有 1 人次参保，不能修改等待期" in field_html(html, "waiting_days")
    assert "请复制为新年度方案" in field_html(html, "end_date")
    plan.refresh_from_db()
    assert (plan.end_date, plan.waiting_days) == (date(2026, 12, 31), 0)
    with pytest.raises(ValidationError) as exc:
        services.plan_update(plan=plan, actor=people.carl, reason="延长", year=2027)
    assert exc.value.message_dict["year"] == [
        "已有 1 人次参保，不能修改年度（已参保人员的保障期和缴费按原方案计算）；"
        "如需调整，请复制为新年度方案"
    ]
    assert not AuditLog.objects.filter(action="aid.plan_update").exists()


def test_plan_with_enrolments_still_takes_a_new_name_and_eligibility(people, as_user, enrolment):
    r = as_user(people.carl).post(
        "/staff/aid/plans/accident-2026/",
        form_of(enrolment.plan, name="户外劳动者意外互助", max_age="60"),
    )
    assert r.status_code == 302
    plan = Plan.objects.get(pk=enrolment.plan_id)
    assert (plan.name, plan.max_age) == ("户外劳动者意外互助", 60)
    log = AuditLog.objects.get(action="aid.plan_update")
    assert log.detail == {
        "before": {"name": "户外劳动者意外伤害互助保障", "max_age": 65},
        "after": {"name": "户外劳动者意外互助", "max_age": 60},
    }


def test_a_new_schedule_leaves_approved_claims_as_they_were_approved(ready_claim, people, rider):
    services.claim_approve(claim=ready_claim, actor=people.carl)
    plan = ready_claim.enrolment.plan
    schedule = [dict(item) for item in plan.schedule]
    schedule[0].update(deductible=0, ratio=100, cap_year=300000)  # the medical item
    services.plan_update(plan=plan, actor=people.carl, reason="提高报销比例", schedule=schedule)

    ready_claim.refresh_from_db()
    assert ready_claim.payable_amount().total == 263000
    assert [x.explanation for x in ready_claim.payable_amount().lines] == [
        "意外医疗费 ¥3,200 − 免赔 ¥100 = ¥3,100 × 80% = ¥2,480，单次上限 ¥10,000",
        "住院津贴 3 天 × ¥50 = ¥150",
    ]
    # a new claim on the same enrolment is computed on the new schedule, and the frozen ¥2,480
    # still counts against the (new) yearly cap of ¥3,000
    later = report_claim(
        rider, claim_data(ready_claim.enrolment, asks={"medical": {"amount": 320000}})
    )
    assert later.payable_amount().total == 52000


def test_schedule_items_that_claims_name_keep_their_code_and_type(claim, people):
    plan = claim.enrolment.plan
    without_medical = [i for i in plan.schedule if i["code"] != "medical"]
    with pytest.raises(ValidationError) as exc:
        services.plan_update(plan=plan, actor=people.carl, reason="删项", schedule=without_medical)
    assert exc.value.message_dict["schedule"] == [
        "“意外医疗费”（medical）已有理赔使用，不能删除或更改类型"
    ]
    # an item no claim names may go
    without_death = [i for i in plan.schedule if i["code"] != "death"]
    services.plan_update(
        plan=plan, actor=people.carl, reason="取消身故责任", schedule=without_death
    )
    plan.refresh_from_db()
    assert [i["code"] for i in plan.schedule] == ["medical", "hospital", "disability"]


def test_copy_to_next_year_moves_the_dates_and_keeps_the_terms(people, as_user, enrolment):
    r = as_user(people.carl).post("/staff/aid/plans/accident-2026/copy/", {"year": "2027"})
    assert r.status_code == 302 and r["Location"] == "/staff/aid/plans/accident-2027/"
    old, new = Plan.objects.get(code="accident-2026"), Plan.objects.get(code="accident-2027")
    assert (new.year, new.start_date, new.end_date) == (2027, date(2027, 1, 1), date(2027, 12, 31))
    assert (new.schedule, new.contribution_fen, new.name) == (old.schedule, 3000, old.name)
    assert new.enrolments.count() == 0
    log = AuditLog.objects.get(action="aid.plan_create", object_id=str(new.pk))
    assert log.reason == "复制自 accident-2026"
    with pytest.raises(ValidationError, match="2027 年已有该方案"):
        services.plan_copy(plan=old, year=2027, actor=people.carl)


def test_copy_of_a_plan_starting_on_29_february_starts_on_28_february(people, orgs):
    plan = services.plan_create(
        code="leap-2028",
        city=orgs["city"].city,
        name="闰年方案",
        kind="special",
        year=2028,
        start_date=date(2028, 2, 29),
        end_date=date(2029, 2, 28),
        schedule=[{"code": "x", "label": "慰问金", "type": "fixed", "amount": 100}],
    )
    copy = services.plan_copy(plan=plan, year=2029, actor=people.admin)
    assert (copy.code, copy.start_date, copy.end_date) == (
        "leap-2029",
        date(2029, 2, 28),
        date(2030, 2, 28),
    )

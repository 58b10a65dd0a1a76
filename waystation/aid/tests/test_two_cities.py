"""Two cities, one federation each: every aid page, API call and service keeps to the row's city.

Changzhou: the conftest's rider (天宁, 外卖), a claim approved by carl with its payout pending,
another in a bank batch, a plan of Changzhou's own (cz-only-2026), a condolence visit. 无锡: a
rider in 梁溪区 with a claim approved by wanda, its payout in a 无锡 batch. Staff of 无锡 (wanda of
the city union, wade its administrator, wes of 梁溪区) reading Changzhou's rows by number or id get
404, and so do Changzhou's carl, admin and alice on 无锡's; pam of the 江苏 province union sees
both cities.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from waystation.accounts.access import NotInScope
from waystation.accounts.models import Platform
from waystation.aid import services
from waystation.aid.models import Claim, Condolence, GiftBatch, Payout, PayoutBatch, Plan

from .conftest import attach_required, claim_data, make_member, make_ready, report_claim
from .test_api import member_client

WUXI = "320200"
CHANGZHOU = "320400"
CLAIM_ACTIONS = ("assess", "review", "return", "reject", "approve", "override-confirm",
                 "override-decline", "confirm")  # fmt: skip


def _wuxi_claim(wuxi_people, wuxi) -> Claim:
    """A 梁溪区 rider's claim on 无锡's accident plan, passed by wes and approved by wanda."""
    city = wuxi["city"].city
    plan = services.plans_ensure_examples(2026, city=city)[0]
    rider = make_member("CZ10000001", district="320213", id_tail="0033")
    enrolment = services.enrolment_self(member=rider, plan=plan, today=date(2026, 1, 5))
    claim = make_ready(report_claim(rider, claim_data(enrolment)), wuxi_people.wes)
    services.claim_approve(claim=claim, actor=wuxi_people.wanda)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def world(people, orgs, plans, rider, ready_claim, wuxi, wuxi_people):
    """Both cities' rows: claims, payouts (the Changzhou one still pending, the 无锡 one in a
    batch), a bank batch each, Changzhou's own plan and a condolence visit."""
    services.claim_approve(claim=ready_claim, actor=people.carl)
    ready_claim.refresh_from_db()
    cz_payout = ready_claim.payouts.get()
    cz_batch_claim = make_ready(
        report_claim(rider, claim_data(plans["accident"].enrolments.get(), incident_place="甲")),
        people.alice,
    )
    services.claim_approve(claim=cz_batch_claim, actor=people.carl)
    cz_batch, _ = services.payout_batch_export(
        actor=people.carl, payouts=[cz_batch_claim.payouts.get()]
    )
    wx_claim = _wuxi_claim(wuxi_people, wuxi)
    wx_payout = wx_claim.payouts.get()
    wx_batch, _ = services.payout_batch_export(actor=wuxi_people.wanda, payouts=[wx_payout])
    cz_only = services.plan_create(
        code="cz-only-2026",
        city=orgs["city"].city,
        actor=people.carl,
        name="常州专项",
        kind="special",
        year=2026,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        schedule=[{"code": "x", "label": "慰问金", "type": "fixed", "amount": 100}],
    )
    visit = services.condolence_record(
        member=rider, visited_on=date(2026, 7, 1), cash_fen=50000, goods="", goods_value_fen=0,
        reason="常州的慰问事由", approver=people.carl, actor=people.carl, unit=orgs["city"],
    )  # fmt: skip
    return {
        "cz_claim": ready_claim,
        "cz_payout": cz_payout,
        "cz_batch": cz_batch,
        "cz_doc": ready_claim.documents.first(),
        "cz_plan": cz_only,
        "cz_visit": visit,
        "wx_claim": wx_claim,
        "wx_payout": wx_payout,
        "wx_batch": wx_batch,
        "wx_doc": wx_claim.documents.first(),
    }


def _claim_urls(claim: Claim) -> list[tuple[str, str]]:
    n = claim.number
    return [
        ("get", f"/staff/aid/claims/{n}/"),
        *(("post", f"/staff/aid/claims/{n}/{action}/") for action in CLAIM_ACTIONS),
        ("get", f"/api/v1/aid/claims/{n}"),
    ]


def _money_urls(payout: Payout, batch: PayoutBatch) -> list[tuple[str, str]]:
    return [
        *(("post", f"/staff/aid/payouts/{payout.pk}/{a}/") for a in ("paid", "failed", "reissue")),
        ("get", f"/staff/aid/payouts/batches/{batch.pk}.xlsx"),
    ]


def _statuses(client, urls) -> set[int]:
    data = {"note": "看看", "bank_reference": "R1", "reason": "看看", "working": "yes"}
    return {getattr(client, method)(url, data).status_code for method, url in urls}


@pytest.mark.parametrize("who", ["wanda", "wade", "wes"])
def test_wuxi_staff_get_404_for_changzhou_claims_payouts_batches_and_documents(
    who, world, wuxi_people, as_user
):
    c = as_user(wuxi_people[who])
    urls = [
        *_claim_urls(world["cz_claim"]),
        *_money_urls(world["cz_payout"], world["cz_batch"]),
        ("get", f"/aid/documents/{world['cz_doc'].pk}/"),
    ]
    assert _statuses(c, urls) == {404}
    r = c.post(
        f"/api/v1/aid/claims/{world['cz_claim'].number}/approve",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": f"k-{who}"},
    )
    assert r.status_code == 404
    payout = Payout.objects.get(pk=world["cz_payout"].pk)
    assert (payout.status, payout.bank_reference, payout.failure_reason) == ("pending", "", "")
    assert Claim.objects.get(pk=world["cz_claim"].pk).status == Claim.Status.APPROVED


@pytest.mark.parametrize("who", ["carl", "admin", "alice"])
def test_changzhou_staff_get_404_for_wuxi_claims_payouts_batches_and_documents(
    who, world, people, as_user
):
    urls = [
        *_claim_urls(world["wx_claim"]),
        *_money_urls(world["wx_payout"], world["wx_batch"]),
        ("get", f"/aid/documents/{world['wx_doc'].pk}/"),
    ]
    assert _statuses(as_user(people[who]), urls) == {404}
    assert Payout.objects.get(pk=world["wx_payout"].pk).status == Payout.Status.EXPORTED


def test_the_province_reads_both_cities_claims_batches_and_documents(world, wuxi_people, as_user):
    c = as_user(wuxi_people.pam)
    for city in ("cz", "wx"):
        claim = world[f"{city}_claim"]
        assert c.get(f"/staff/aid/claims/{claim.number}/").status_code == 200
        assert c.get(f"/api/v1/aid/claims/{claim.number}").json()["number"] == claim.number
        assert c.get(
            f"/staff/aid/payouts/batches/{world[f'{city}_batch'].pk}.xlsx"
        ).status_code == (200)
        assert c.get(f"/aid/documents/{world[f'{city}_doc'].pk}/").status_code == 200


def test_each_citys_lists_show_its_own_rows_and_the_province_both(
    world, people, wuxi_people, as_user
):
    cz, wx = world["cz_claim"].number, world["wx_claim"].number
    for user, shown, hidden in [
        (people.carl, {cz}, {wx}),
        (people.alice, {cz}, {wx}),
        (wuxi_people.wanda, {wx}, {cz}),
        (wuxi_people.wes, {wx}, {cz}),
        (wuxi_people.pam, {cz, wx}, set()),
    ]:
        c = as_user(user)
        claims = c.get("/staff/aid/claims/").content.decode()
        assert all(n in claims for n in shown) and not any(n in claims for n in hidden), user
        if user not in (people.alice, wuxi_people.wes):  # the payouts page is the city's
            payouts = c.get("/staff/aid/payouts/").content.decode()
            assert all(n in payouts for n in shown), user
            assert not any(n in payouts for n in hidden), user


def test_the_district_filters_list_the_districts_of_the_users_cities(
    world, people, wuxi_people, as_user
):
    wanda = as_user(wuxi_people.wanda).get("/staff/aid/claims/").content.decode()
    assert "梁溪区" in wanda and "锡山区" in wanda and "天宁区" not in wanda
    carl = as_user(people.carl).get("/staff/aid/payouts/").content.decode()
    assert "天宁区" in carl and "梁溪区" not in carl
    pam = as_user(wuxi_people.pam).get("/staff/aid/plans/").content.decode()
    assert "天宁区" in pam and "梁溪区" in pam


def test_a_payout_of_another_city_cannot_be_put_in_a_batch(world, people, wuxi_people, as_user):
    """wanda ticks Changzhou's pending payout: to her it does not exist; pam may not mix cities."""
    cz = world["cz_payout"]
    r = as_user(wuxi_people.wanda).post("/staff/aid/payouts/export/", {"payout": [cz.pk]})
    assert r.status_code == 302
    with pytest.raises(ValidationError, match="部分付款不存在"):
        services.payout_batch_export(actor=wuxi_people.wanda, payouts=[cz])
    wx_claim = _second_wuxi_payout(world, wuxi_people)
    with pytest.raises(ValidationError, match="一个批次只能包含同一城市的付款"):
        services.payout_batch_export(actor=wuxi_people.pam, payouts=[cz, wx_claim])
    assert Payout.objects.get(pk=cz.pk).status == Payout.Status.PENDING
    batch, _ = services.payout_batch_export(actor=wuxi_people.pam, payouts=[cz])
    assert batch.city.adcode == CHANGZHOU


def _second_wuxi_payout(world, wuxi_people) -> Payout:
    enrolment = world["wx_claim"].enrolment
    claim = make_ready(
        report_claim(enrolment.member, claim_data(enrolment, incident_place="乙")),
        wuxi_people.wes,
    )
    payout = services.claim_approve(claim=claim, actor=wuxi_people.wade)
    assert payout is not None
    return payout


def test_changzhou_approvers_cannot_approve_or_pay_a_wuxi_claim(world, people):
    wx = world["wx_claim"]
    for step in (
        lambda: services.claim_approve(claim=wx, actor=people.carl),
        lambda: services.payout_create(claim=wx, actor=people.admin),
        lambda: services.payout_mark_paid(
            payout=world["wx_payout"], bank_reference="R9", actor=people.carl
        ),
        lambda: services.payout_batch_file(batch=world["wx_batch"], actor=people.admin),
    ):
        with pytest.raises(NotInScope):
            step()


def test_each_city_manages_its_own_plans(world, people, wuxi_people, as_user):
    """cz-only-2026 is Changzhou's: 无锡's staff get 404 on it; 无锡's accident-2026 is its own."""
    wanda = as_user(wuxi_people.wanda)
    assert wanda.get("/staff/aid/plans/cz-only-2026/").status_code == 404
    assert wanda.post("/staff/aid/plans/cz-only-2026/copy/", {"year": "2027"}).status_code == 404
    page = wanda.get("/staff/aid/plans/").content.decode()
    assert "常州专项" not in page and 'href="/staff/aid/plans/accident-2026/"' in page
    assert "常州专项" not in as_user(wuxi_people.wes).get("/staff/aid/plans/").content.decode()
    plan = Plan.objects.get(code="accident-2026", city__adcode=WUXI)
    assert wanda.get("/staff/aid/plans/accident-2026/").context["plan"] == plan
    copy = services.plan_copy(plan=plan, year=2027, actor=wuxi_people.wade)
    assert (copy.code, copy.city.adcode) == ("accident-2027", WUXI)
    assert not Plan.objects.filter(code="accident-2027", city__adcode=CHANGZHOU).exists()
    with pytest.raises(NotInScope):
        services.plan_update(
            plan=world["cz_plan"], actor=wuxi_people.wanda, reason="改名", name="x"
        )
    with pytest.raises(NotInScope):
        services.plan_copy(plan=plan, year=2028, actor=people.carl)


def test_the_province_names_the_city_of_a_plan_whose_code_both_cities_use(
    world, wuxi_people, as_user
):
    pam = as_user(wuxi_people.pam)
    assert pam.get("/staff/aid/plans/accident-2026/").status_code == 404  # which city's?
    r = pam.get(f"/staff/aid/plans/accident-2026/?city={WUXI}")
    assert r.context["plan"] == Plan.objects.get(code="accident-2026", city__adcode=WUXI)
    page = pam.get("/staff/aid/plans/").content.decode()
    for adcode in (WUXI, CHANGZHOU):
        assert f'href="/staff/aid/plans/accident-2026/?city={adcode}"' in page
    assert "无锡市 " in page and "常州市 " in page
    new = pam.get("/staff/aid/plans/new/").content.decode()
    assert 'name="city"' in new and "无锡市" in new and "常州市" in new


def test_a_new_plan_goes_to_the_city_its_creator_manages(world, wuxi_people, as_user):
    from .test_plans import NEW_PLAN

    r = as_user(wuxi_people.wanda).post("/staff/aid/plans/new/", NEW_PLAN)
    assert r.status_code == 302
    assert Plan.objects.get(code=NEW_PLAN["code"]).city.adcode == WUXI
    r = as_user(wuxi_people.pam).post("/staff/aid/plans/new/", NEW_PLAN)
    assert r.status_code == 200 and "请选择城市" in r.content.decode()
    r = as_user(wuxi_people.pam).post("/staff/aid/plans/new/", {**NEW_PLAN, "city": CHANGZHOU})
    assert r.status_code == 302
    assert {p.city.adcode for p in Plan.objects.filter(code=NEW_PLAN["code"])} == {WUXI, CHANGZHOU}


def test_a_gift_is_of_a_plan_of_the_givers_city_in_the_name_of_a_union_there(
    world, plans, orgs, wuxi, wuxi_people, as_user
):
    r = as_user(wuxi_people.wanda).post(
        "/staff/aid/plans/", {"plan": plans["accident"].pk, "unit": wuxi["city"].pk}
    )
    assert r.status_code == 200 and "请选择方案和赠送工会" in r.content.decode()
    with pytest.raises(NotInScope):
        services.gift_batch_start(
            gift=services.Gift(plan=plans["accident"], unit=wuxi["city"], filters={}),
            actor=wuxi_people.wanda,
        )
    with pytest.raises(ValidationError, match="赠送工会须与方案属于同一城市"):
        services.gift_batch_start(
            gift=services.Gift(plan=plans["accident"], unit=wuxi["city"], filters={}),
            actor=wuxi_people.pam,
        )
    assert not GiftBatch.objects.exists()


def test_a_gift_by_the_province_enrols_only_the_plans_citys_members(
    world, plans, orgs, wuxi_people
):
    """pam sees both cities' riders; a gift of Changzhou's plan reaches Changzhou's only."""
    from waystation.aid.models import Enrolment

    gift = services.Gift(plan=plans["illness"], unit=orgs["city"], filters={})
    batch = services.gift_batch_start(gift=gift, actor=wuxi_people.pam, enrol_on=date(2026, 2, 1))
    services.gift_batch_run(batch)
    members = set(
        Enrolment.objects.filter(batch=batch).values_list("member__member_number", flat=True)
    )
    assert members == {world["cz_claim"].member.member_number}
    assert (batch.city.adcode, batch.job.city.adcode) == (CHANGZHOU, CHANGZHOU)


def test_condolence_visits_stay_in_the_members_city(
    world, people, orgs, rider, wuxi, wuxi_people, as_user
):
    wanda = as_user(wuxi_people.wanda)
    r = wanda.post(
        "/staff/aid/condolences/",
        {"member": rider.member_number, "cash_yuan": "500", "reason": "重病慰问",
         "approver": wuxi_people.wade.pk},
    )  # fmt: skip
    assert r.status_code == 200 and "会员号、手机号或身份证号不在您的范围内" in r.content.decode()
    assert "常州的慰问事由" not in wanda.get("/staff/aid/condolences/").content.decode()
    pam = as_user(wuxi_people.pam).get("/staff/aid/condolences/").content.decode()
    assert "常州的慰问事由" in pam
    visit = {
        "member": rider, "visited_on": date(2026, 7, 2), "cash_fen": 100, "goods": "",
        "goods_value_fen": 0, "reason": "再次慰问",
    }  # fmt: skip
    with pytest.raises(NotInScope):  # a union of 无锡 does not visit a Changzhou member
        services.condolence_record(
            **visit, approver=people.carl, actor=wuxi_people.pam, unit=wuxi["city"]
        )
    with pytest.raises(ValidationError, match="审批人须为会员所在城市的市级工作人员"):
        services.condolence_record(
            **visit, approver=wuxi_people.wade, actor=people.carl, unit=orgs["city"]
        )
    assert Condolence.objects.count() == 1


def test_the_statistics_count_each_citys_own(world, people, wuxi_people, as_user):
    def figures(user):
        r = as_user(user).get("/staff/aid/stats/")
        s = r.context["s"]
        return s["person_times"], s["claims_total"], s["condolence_fen"]

    assert figures(wuxi_people.wanda) == (1, 1, 0)
    assert figures(people.carl) == (1, 2, 50000)
    assert figures(wuxi_people.pam) == (2, 3, 50000)


def test_a_member_sees_and_joins_only_the_plans_of_their_city(world, wuxi, monkeypatch):
    # early in the plan year, so the illness plan's 90-day wait ends within it
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 3, 1))
    wx_rider = world["wx_claim"].member
    page = member_client(wx_rider).get("/me/aid/").content.decode()
    assert "常州专项" not in page and "职工重大疾病互助保障" in page  # 无锡's illness plan
    assert member_client(wx_rider).post("/me/aid/enrol/cz-only-2026/").status_code == 404
    member_client(wx_rider).post("/me/aid/enrol/illness-2026/", {"confirm": "yes"})
    assert {e.plan.city.adcode for e in wx_rider.aid_enrolments.all()} == {WUXI}
    with pytest.raises(ValidationError, match="本方案仅面向常州市的会员"):
        services.enrolment_self(member=wx_rider, plan=world["cz_plan"], today=date(2026, 3, 1))


def test_a_liaison_confirms_the_claims_of_her_platform_in_her_city_only(world, people):
    """lily is 美团's liaison in Changzhou: 无锡's claims naming 美团 are not hers to confirm."""
    meituan = Platform.objects.get(code="meituan")
    rider = make_member("CZ10000002", district="320213", id_tail="0044")
    plan = Plan.objects.get(code="accident-2026", city__adcode=WUXI)
    enrolment = services.enrolment_self(member=rider, plan=plan, today=date(2026, 1, 5))
    claim = report_claim(rider, claim_data(enrolment))
    attach_required(claim)
    with pytest.raises(NotInScope):
        services.claim_platform_confirm(
            claim=claim, platform=meituan, working=True, actor=people.lily
        )
    cz = report_claim(world["cz_claim"].member, claim_data(world["cz_claim"].enrolment))
    services.claim_platform_confirm(claim=cz, platform=meituan, working=True, actor=people.lily)
    assert Claim.objects.get(pk=cz.pk).platform_status == Claim.PlatformStatus.CONFIRMED

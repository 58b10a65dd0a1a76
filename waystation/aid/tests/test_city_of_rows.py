"""Every aid row gets its city: through the services, through the bulk paths (the gift job, the
demo) and through a plain `objects.create` (save() takes it from the parent row). The rows are
无锡's, so that no default could pass for the right answer."""

import random
from datetime import date

import pytest

from waystation.aid import demo, services
from waystation.aid.models import (
    Claim,
    ClaimDocument,
    Condolence,
    Enrolment,
    GiftBatch,
    Payout,
    Plan,
)
from waystation.aid.tests.conftest import exported

from .conftest import attach_required, claim_data, make_member, make_ready, report_claim

WUXI = "320200"


@pytest.fixture
def city(wuxi):
    return wuxi["city"].city


@pytest.fixture
def plan(city) -> Plan:
    return services.plans_ensure_examples(2026, city=city)[0]


@pytest.fixture
def wx_rider(wuxi):
    return make_member("CZ10000001", district="320213", id_tail="0033")


@pytest.fixture
def wx_claim(plan, wx_rider) -> Claim:
    enrolment = services.enrolment_self(member=wx_rider, plan=plan, today=date(2026, 1, 5))
    return report_claim(wx_rider, claim_data(enrolment))


def test_a_plan_gets_the_city_it_is_created_for(city, wuxi_people):
    examples = services.plans_ensure_examples(2027, city=city)
    plan = services.plan_create(
        code="wx-special-2027", city=city, actor=wuxi_people.wade, name="无锡专项",
        kind="special", year=2027, start_date=date(2027, 1, 1), end_date=date(2027, 12, 31),
        schedule=[{"code": "x", "label": "慰问金", "type": "fixed", "amount": 100}],
    )  # fmt: skip
    copy = services.plan_copy(plan=plan, year=2028, actor=wuxi_people.wanda)
    assert {p.city.adcode for p in [*examples, plan, copy]} == {WUXI}
    assert not Plan.objects.exclude(city__adcode=WUXI).exists()  # the fixtures made none either


def test_an_enrolment_gets_its_plans_city_on_its_own_by_gift_and_by_create(
    city, plan, wx_rider, wuxi, wuxi_people
):
    mine = services.enrolment_self(member=wx_rider, plan=plan, today=date(2026, 1, 5))
    others = [make_member(f"CZ1000001{i}", district="320213", id_tail=f"01{i}1") for i in range(3)]
    counts = services.enrolment_gift_bulk(  # bulk_create, the gift job's writer
        plan=plan, unit=wuxi["city"], member_ids=[m.pk for m in others], enrol_on=date(2026, 2, 1)
    )
    made = Enrolment.objects.create(
        plan=services.plans_ensure_examples(2026, city=city)[1], member=others[0],
        enrolled_on=date(2026, 2, 1), covered_from=date(2026, 5, 1), covered_to=date(2026, 12, 31),
        source="self",
    )  # fmt: skip
    assert counts["created"] == 3
    assert {e.city.adcode for e in Enrolment.objects.all()} == {WUXI}
    assert mine.city_id == made.city_id == city.pk


def test_a_gift_batch_and_its_job_get_the_plans_city(plan, wuxi, wuxi_people):
    gift = services.Gift(plan=plan, unit=wuxi["320213"], filters={})
    batch = services.gift_batch_start(gift=gift, actor=wuxi_people.wes)
    made = GiftBatch.objects.create(
        plan=plan, unit=wuxi["city"], source="filter", enrol_on=date(2026, 3, 1)
    )
    assert (batch.city.adcode, batch.job.city.adcode, made.city.adcode) == (WUXI, WUXI, WUXI)


def test_a_claim_and_its_documents_get_the_enrolments_city(wx_claim):
    attach_required(wx_claim)
    made = Claim.objects.create(
        number="HZ2026999999", member=wx_claim.member, enrolment=wx_claim.enrolment,
        incident_type="accident", incident_date=date(2026, 3, 2), incident_place="梁溪路",
        description="摔倒",
    )  # fmt: skip
    doc = ClaimDocument.objects.create(
        claim=made, doc_type="other", stored_name="aid/y.pdf", content_type="application/pdf",
        size=1, sha256="0" * 64,
    )  # fmt: skip
    assert {c.city.adcode for c in Claim.objects.all()} == {WUXI}
    assert {d.city.adcode for d in ClaimDocument.objects.all()} == {WUXI}
    assert ClaimDocument.objects.count() == 3 and doc.city_id == wx_claim.city_id


def test_a_payout_and_its_bank_batch_get_the_claims_city(wx_claim, wuxi_people):
    make_ready(wx_claim, wuxi_people.wes)
    payout = services.claim_approve(claim=wx_claim, actor=wuxi_people.wanda)
    assert payout is not None
    exported(payout, wuxi_people.wanda)
    services.payout_mark_failed(payout=payout, reason="户名不符", actor=wuxi_people.wanda)
    again = services.payout_reissue(payout=payout, actor=wuxi_people.wade)
    batch, _ = services.payout_batch_export(actor=wuxi_people.wanda)  # every pending one of 无锡
    assert list(batch.payouts.all()) == [again]
    assert {p.city.adcode for p in Payout.objects.all()} == {WUXI}
    assert batch.city.adcode == WUXI


def test_a_payout_made_by_create_takes_its_claims_city(wx_claim):
    made = Payout.objects.create(claim=wx_claim, amount_fen=100)
    assert made.city.adcode == WUXI


def test_a_condolence_visit_gets_its_members_city(wx_rider, wuxi, wuxi_people):
    visit = services.condolence_record(
        member=wx_rider, visited_on=date(2026, 7, 1), cash_fen=50000, goods="", goods_value_fen=0,
        reason="重病慰问", approver=wuxi_people.wade, actor=wuxi_people.wes, unit=wuxi["320213"],
    )  # fmt: skip
    made = Condolence.objects.create(
        member=wx_rider, visited_on=date(2026, 7, 2), cash_fen=100, reason="再访",
        approver=wuxi_people.wade, recorded_by=wuxi_people.wade, unit=wuxi["city"],
    )  # fmt: skip
    assert (visit.city.adcode, made.city.adcode) == (WUXI, WUXI)


def test_the_demos_bulk_enrolments_claims_and_payouts_carry_the_city(city, wuxi):
    """The demo's writers (bulk_create throughout) for 无锡, with as many riders as it files
    claims."""
    for year in (2022, 2023, 2024):
        services.plans_ensure_examples(year, city=city)
    n = demo.CONFIRMED_CLAIMS + demo.OPEN_CLAIMS
    ids = [make_member(f"CZ2{i:07d}", district="320213", id_tail=f"{i:04d}").pk for i in range(n)]
    rng = random.Random(demo.SEED)
    enrolments = demo._enrol(rng, ids, {2024: n}, city)
    demo._claims(rng, enrolments[2024])
    assert Enrolment.objects.filter(city=city).count() == n
    assert Claim.objects.filter(city=city).count() == n
    assert Payout.objects.filter(city=city).count() == demo.CONFIRMED_CLAIMS
    assert not Enrolment.objects.exclude(city=city).exists()
    assert not Claim.objects.exclude(city=city).exists()
    assert not Payout.objects.exclude(city=city).exists()


def test_the_demo_sets_up_the_plans_of_the_city_it_is_given(city):
    """Without the members demo it stops after the plans, saying why."""
    import io

    from django.core.management.base import OutputWrapper

    out = io.StringIO()
    demo.load_city(city, OutputWrapper(out))
    assert "skipped" in out.getvalue()
    codes = set(Plan.objects.filter(city=city).values_list("code", flat=True))
    assert {"accident-2022", "illness-2023", "truck-2024"} <= codes
    assert not Plan.objects.exclude(city=city).exists()

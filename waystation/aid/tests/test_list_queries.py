"""The claims, payouts, plans, gift batches and condolences lists cost the same number of queries
for 3 rows as for 30, with every row checked as rendered."""

from datetime import date

import pytest

from waystation.accounts.models import Platform
from waystation.aid import services
from waystation.aid.tests.conftest import claim_data, make_ready, report_claim

# the rows, the filters (the district rows of the user's cities among them) and the to-do counts
CLAIMS_LIST_QUERIES = 9
PAYOUTS_LIST_QUERIES = 9


def _claims(n: int, people, plans, rider, other_rider) -> list:
    """n claims, alternating between the 天宁 and the 钟楼 rider and between 美团 and 饿了么."""
    enrolments = [
        services.enrolment_self(member=m, plan=plans["accident"], today=date(2026, 1, 5))
        for m in (rider, other_rider)
    ]
    out = []
    for i in range(n):
        e = enrolments[i % 2]
        out.append(
            report_claim(
                e.member,
                claim_data(
                    e, platform=["meituan", "eleme"][i % 3 % 2], asks={"hospital": {"days": 1}}
                ),
            )
        )
    return out


@pytest.mark.parametrize("rows", [3, 30])
def test_claims_list_queries_do_not_grow_with_rows(
    rows, people, plans, rider, other_rider, as_user, django_assert_max_num_queries
):
    claims = _claims(rows, people, plans, rider, other_rider)
    c = as_user(people.carl)
    with django_assert_max_num_queries(CLAIMS_LIST_QUERIES):
        html = c.get("/staff/aid/claims/").content.decode()
    assert all(claim.number in html for claim in claims)
    assert html.count("饿了么") >= rows // 3


@pytest.mark.parametrize("rows", [3, 30])
def test_payouts_list_queries_do_not_grow_with_rows(
    rows, people, plans, rider, other_rider, as_user, django_assert_max_num_queries
):
    """Pending, exported, failed (some re-issued) and paid rows: every kind the page draws."""
    meituan = Platform.objects.get(code="meituan")
    payouts = []
    for claim in _claims(rows, people, plans, rider, other_rider):
        claim.platform = meituan
        claim.save(update_fields=["platform"])
        make_ready(claim, people.alice if claim.member == rider else people.charlie)
        payouts.append(services.claim_approve(claim=claim, actor=people.carl))
    services.payout_batch_export(actor=people.carl, payouts=payouts[::3])
    for p in payouts[::3]:
        services.payout_mark_failed(payout=p, reason="户名不符", actor=people.carl)
    for p in payouts[::6]:
        services.payout_reissue(payout=p, actor=people.carl)
    services.payout_batch_export(actor=people.carl, payouts=payouts[1::3])
    for p in payouts[1::6]:
        services.payout_mark_paid(payout=p, bank_reference=f"R{p.pk}", actor=people.carl)
    c = as_user(people.carl)
    with django_assert_max_num_queries(PAYOUTS_LIST_QUERIES):
        html = c.get("/staff/aid/payouts/").content.decode()
    assert all(p.claim.number in html for p in payouts)
    assert html.count("重新发放</button>") == len(payouts[::3]) - len(payouts[::6])


# --- plans, gift batches, condolences --------------------------------------------------------

# sign-in (3), person-times, plans, units, districts, industries, platforms, gift batches
PLANS_PAGE_QUERIES = 10
CONDOLENCES_LIST_QUERIES = 6  # sign-in (3), special plans, approvers, the rows


@pytest.mark.parametrize("years", [1, 10])
def test_plans_page_queries_do_not_grow_with_plans(
    years, people, orgs, as_user, django_assert_max_num_queries
):
    """3 plans (one year of examples) or 30 (ten years)."""
    city = orgs["city"].city
    plans = [
        p
        for year in range(2026, 2026 + years)
        for p in services.plans_ensure_examples(year, city=city)
    ]
    c = as_user(people.carl)
    with django_assert_max_num_queries(PLANS_PAGE_QUERIES):
        html = c.get("/staff/aid/plans/").content.decode()
    assert all(f'href="/staff/aid/plans/{p.code}/"' in html for p in plans)


@pytest.mark.parametrize("rows", [3, 30])
def test_gift_batches_list_queries_do_not_grow_with_rows(
    rows, people, plans, orgs, as_user, django_assert_max_num_queries
):
    """The page shows the giver's ten newest batches with their jobs' progress."""
    from datetime import timedelta

    from django.utils import timezone

    from waystation.aid.models import GiftBatch

    batches = [
        services.gift_batch_start(
            gift=services.Gift(plan=plans["accident"], unit=orgs["city"], filters={}),
            actor=people.carl,
        )
        for _ in range(rows)
    ]
    start = timezone.now() - timedelta(days=rows)
    for i, b in enumerate(batches):  # one a day, the last one newest
        GiftBatch.objects.filter(pk=b.pk).update(created_at=start + timedelta(days=i))
    c = as_user(people.carl)
    with django_assert_max_num_queries(PLANS_PAGE_QUERIES):
        html = c.get("/staff/aid/plans/").content.decode()
    shown = [b for b in batches if f'data-job-url="/jobs/{b.job_id}/"' in html]
    assert shown == batches[-10:]


@pytest.mark.parametrize("rows", [3, 30])
def test_condolences_list_queries_do_not_grow_with_rows(
    rows, people, orgs, as_user, django_assert_max_num_queries
):
    from waystation.members.tests.factories import make_member

    rows_made = [
        services.condolence_record(
            member=make_member(district="tianning"),
            visited_on=date(2026, 5, 1 + i % 28),
            cash_fen=50000,
            goods="",
            goods_value_fen=0,
            reason="住院慰问",
            approver=people.carl,
            actor=people.alice,
            unit=orgs["tianning"],
        )
        for i in range(rows)
    ]
    c = as_user(people.alice)
    with django_assert_max_num_queries(CONDOLENCES_LIST_QUERIES):
        html = c.get("/staff/aid/condolences/").content.decode()
    assert all(row.member.member_number in html for row in rows_made)
    assert html.count("住院慰问") == rows

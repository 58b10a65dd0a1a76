"""The claims and payouts lists cost the same number of queries for 3 rows as for 30."""

from datetime import date

import pytest

from waystation.accounts.models import Platform
from waystation.aid import services
from waystation.aid.tests.conftest import claim_data, make_ready, report_claim

CLAIMS_LIST_QUERIES = 8  # the rows, the filters and the to-do counts (one query)
PAYOUTS_LIST_QUERIES = 8


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

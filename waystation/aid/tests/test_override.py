"""An approval override stays within what the plan could ever pay on the claim, carries a reason
someone else can check, fits its column, and above a threshold waits for a second city approver
before any payout exists.

The ready claim asks ¥3,200 of bills and 3 hospital days on the example accident plan: the
schedule computes ¥2,630; the most those two items could ever pay is ¥10,000 (the medical
incident cap) + ¥3,000 (60 days × ¥50) = ¥13,000.
"""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from waystation.accounts.access import NotInScope
from waystation.aid import services
from waystation.aid.models import Claim, Payout
from waystation.aid.services import ClaimStateError
from waystation.privacy.models import AuditLog

REASON = "补计送医交通费，见出租车发票"  # 14 characters
CEILING = 1300000
TOO_MUCH = "调整金额不能超过方案对本案所报项目的最高给付 ¥13,000（各项单次、年度上限）"
SHORT_REASON = "请写明调整理由（至少 10 个字）：依据哪份材料、为何与方案计算不同"
OUT_OF_RANGE = "调整金额超出可记录的范围（最多 ¥21,474,836.47）"
OWN_OVERRIDE = "调整金额须由另一位市级审批人复核确认，不能确认自己提出的调整"


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.AID_OVERRIDE_SECOND_APPROVER_FEN = 1000000  # ¥10,000, the default


def _approve(claim, actor, fen, reason=REASON):
    return services.claim_approve(
        claim=claim, actor=actor, override_fen=fen, override_reason=reason
    )


def _unchanged(claim) -> bool:
    claim.refresh_from_db()
    return (
        claim.status == Claim.Status.DISTRICT_APPROVED
        and claim.override_fen is None
        and claim.approved_fen is None
        and not Payout.objects.filter(claim=claim).exists()
    )


def _refused(claim, actor, fen, reason=REASON) -> dict:
    with pytest.raises(ValidationError) as e:
        _approve(claim, actor, fen, reason)
    return e.value.message_dict


# --- bounds --------------------------------------------------------------------------------------


def test_override_may_reach_the_plans_ceiling_but_not_pass_it(ready_claim, people, settings):
    settings.AID_OVERRIDE_SECOND_APPROVER_FEN = 2000000  # bounds only, no second approver here
    assert _refused(ready_claim, people.carl, CEILING + 1) == {"override_fen": [TOO_MUCH]}
    assert _unchanged(ready_claim)
    assert _approve(ready_claim, people.carl, CEILING).amount_fen == CEILING


def test_ceiling_is_what_is_left_of_the_yearly_cap(ready_claim, people, rider, enrolment):
    from waystation.aid.tests.conftest import claim_data, make_ready, report_claim

    plan = enrolment.plan
    plan.schedule = [dict(plan.schedule[0], cap_year=1200000), *plan.schedule[1:]]
    plan.save(update_fields=["schedule"])
    services.claim_approve(claim=ready_claim, actor=people.carl)  # medical ¥2,480 this year
    second = make_ready(report_claim(rider, claim_data(enrolment)), people.alice)
    # ¥12,000 − ¥2,480 = ¥9,520 medical + ¥3,000 hospital
    assert second.override_ceiling() == 1252000
    assert _refused(second, people.carl, 1252001)["override_fen"] == [
        "调整金额不能超过方案对本案所报项目的最高给付 ¥12,520（各项单次、年度上限）"
    ]


def test_override_may_not_be_negative(ready_claim, people):
    assert _refused(ready_claim, people.carl, -1) == {"override_fen": ["调整金额不能为负"]}
    assert _unchanged(ready_claim)


def test_override_reason_needs_ten_characters(ready_claim, people):
    nine, ten = "补计交通费见发票附", "补计交通费，见发票附"
    assert (len(nine), len(ten)) == (9, 10)
    for short in ("补计", f"  {nine}  "):
        assert _refused(ready_claim, people.carl, 300000, short) == {
            "override_reason": [SHORT_REASON]
        }
    assert _unchanged(ready_claim)
    assert _approve(ready_claim, people.carl, 300000, ten).amount_fen == 300000


def test_the_reported_override_is_refused_for_its_amount_and_its_reason(ready_claim, people):
    """¥21,474,836.47 with a two-character reason on an accident plan was accepted."""
    assert _refused(ready_claim, people.carl, 2147483647, "补计") == {
        "override_fen": [TOO_MUCH],
        "override_reason": [SHORT_REASON],
    }
    assert _unchanged(ready_claim)


def test_override_of_two_to_the_31_is_a_400_on_the_api(ready_claim, people, as_user):
    r = as_user(people.carl).post(
        f"/api/v1/aid/claims/{ready_claim.number}/approve",
        {"override_fen": 2**31, "override_reason": REASON},
        content_type="application/json",
        headers={"Idempotency-Key": "big"},
    )
    assert r.status_code == 400
    assert r.json() == {"errors": {"override_fen": [OUT_OF_RANGE]}}
    assert _unchanged(ready_claim)


def test_override_of_two_to_the_31_is_a_400_on_the_page(ready_claim, people, as_user):
    r = as_user(people.carl).post(
        f"/staff/aid/claims/{ready_claim.number}/approve/",
        {"override_yuan": "21474836.48", "override_reason": REASON},
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert f'<p class="error">{OUT_OF_RANGE}</p>' in html
    assert SHORT_REASON not in html
    assert 'value="21474836.48"' in html and f'value="{REASON}"' in html  # what was typed stays
    assert _unchanged(ready_claim)


def test_page_shows_a_short_reason_beside_its_field(ready_claim, people, as_user):
    r = as_user(people.carl).post(
        f"/staff/aid/claims/{ready_claim.number}/approve/",
        {"override_yuan": "3000", "override_reason": "补计"},
    )
    assert r.status_code == 400
    assert f'<p class="error">{SHORT_REASON}</p>' in r.content.decode()
    assert _unchanged(ready_claim)


def test_approve_form_names_the_ceiling_and_the_threshold(ready_claim, people, as_user):
    html = as_user(people.carl).get(f"/staff/aid/claims/{ready_claim.number}/").content.decode()
    assert "调整金额最高 ¥13,000" in html and "超过 ¥10,000 须另一位市级审批人复核" in html


# --- the two-person rule -------------------------------------------------------------------------


@pytest.fixture
def pending(ready_claim, people):
    """carl overrode to ¥12,000, above the ¥10,000 threshold: it waits for a second approver."""
    assert _approve(ready_claim, people.carl, 1200000) is None
    ready_claim.refresh_from_db()
    return ready_claim


def test_override_above_the_threshold_creates_no_payout_and_waits(pending, people):
    assert pending.status == Claim.Status.OVERRIDE_PENDING
    assert (pending.override_fen, pending.override_reason) == (1200000, REASON)
    assert pending.approved_by == people.carl and pending.approved_fen is None
    assert not Payout.objects.filter(claim=pending).exists()
    with pytest.raises(ClaimStateError):
        services.payout_create(claim=pending, actor=people.carl)
    with pytest.raises(ClaimStateError):
        services.claim_approve(claim=pending, actor=people.admin)
    log = AuditLog.objects.get(action="aid.claim_override_request")
    assert log.actor == people.carl and log.reason == REASON
    assert log.detail == {"computed_fen": 263000, "override_fen": 1200000, "threshold_fen": 1000000}


def test_override_at_the_threshold_needs_no_second_approver(ready_claim, people):
    assert _approve(ready_claim, people.carl, 1000000).amount_fen == 1000000


def test_the_approver_cannot_confirm_their_own_override(pending, people, as_user):
    with pytest.raises(ValidationError) as e:
        services.claim_override_confirm(claim=pending, actor=people.carl)
    assert e.value.message_dict == {"override": [OWN_OVERRIDE]}
    r = as_user(people.carl).post(f"/staff/aid/claims/{pending.number}/override-confirm/")
    assert r.status_code == 400 and f'<p class="error">{OWN_OVERRIDE}</p>' in r.content.decode()
    pending.refresh_from_db()
    assert pending.status == Claim.Status.OVERRIDE_PENDING
    assert not Payout.objects.filter(claim=pending).exists()


def test_district_staff_cannot_confirm_an_override(pending, people, as_user):
    with pytest.raises(NotInScope):
        services.claim_override_confirm(claim=pending, actor=people.alice)
    r = as_user(people.alice).post(f"/staff/aid/claims/{pending.number}/override-confirm/")
    assert r.status_code == 404
    pending.refresh_from_db()
    assert pending.status == Claim.Status.OVERRIDE_PENDING
    assert not Payout.objects.filter(claim=pending).exists()


def test_a_second_city_approver_confirms_and_exactly_one_payout_follows(pending, people, as_user):
    url = f"/staff/aid/claims/{pending.number}/override-confirm/"
    r = as_user(people.admin).post(url)
    assert r.status_code == 200 and "确认复核通过调整金额 ¥12,000" in r.content.decode()
    assert not Payout.objects.filter(claim=pending).exists()
    r = as_user(people.admin).post(url, {"confirm": "yes"})
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Claim.Status.APPROVED
    assert (pending.approved_fen, pending.computed_fen) == (1200000, 263000)
    assert (pending.approved_by, pending.override_confirmed_by) == (people.carl, people.admin)
    payout = Payout.objects.get(claim=pending)
    assert payout.amount_fen == 1200000
    # repeats of every step that could pay hand back the same payout
    assert services.claim_override_confirm(claim=pending, actor=people.admin).pk == payout.pk
    assert services.claim_approve(claim=pending, actor=people.carl).pk == payout.pk
    assert services.payout_create(claim=pending, actor=people.carl).pk == payout.pk
    assert Payout.objects.filter(claim=pending).count() == 1
    log = AuditLog.objects.get(action="aid.claim_override_confirm")
    assert log.actor == people.admin
    assert log.detail["requested_by"] == people.carl.pk and log.detail["payout"] == payout.pk


def test_confirmation_checks_the_plans_limits_again(pending, people, enrolment):
    plan = enrolment.plan
    plan.schedule = [dict(plan.schedule[0], cap_incident=800000), *plan.schedule[1:]]
    plan.save(update_fields=["schedule"])
    with pytest.raises(ValidationError) as e:
        services.claim_override_confirm(claim=pending, actor=people.admin)
    assert e.value.message_dict["override_fen"] == [
        "调整金额不能超过方案对本案所报项目的最高给付 ¥11,000（各项单次、年度上限）"
    ]
    assert not Payout.objects.filter(claim=pending).exists()


def test_a_declined_override_goes_back_to_city_approval_without_it(pending, people, as_user):
    r = as_user(people.admin).post(
        f"/staff/aid/claims/{pending.number}/override-decline/", {"note": "交通费不在保障范围"}
    )
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Claim.Status.DISTRICT_APPROVED
    assert (pending.override_fen, pending.override_reason, pending.approved_by) == (None, "", None)
    assert pending.status_note == "交通费不在保障范围"
    assert AuditLog.objects.get(action="aid.claim_override_decline").detail == {
        "override_fen": 1200000,
        "requested_by": people.carl.pk,
    }
    assert services.claim_approve(claim=pending, actor=people.carl).amount_fen == 263000
    pending.refresh_from_db()
    assert pending.override_fen is None


def test_the_pending_override_shows_on_the_claim_and_in_the_to_do_list(pending, people, as_user):
    html = as_user(people.admin).get(f"/staff/aid/claims/{pending.number}/").content.decode()
    assert "调整金额待复核" in html and 'id="override-confirm"' in html
    assert "carl 于" in html and "¥12,000" in html
    own = as_user(people.carl).get(f"/staff/aid/claims/{pending.number}/").content.decode()
    assert "这是您提出的调整，须由另一位市级审批人确认。" in own
    assert 'id="override-confirm"' not in own
    todo = as_user(people.admin).get("/staff/aid/claims/").content.decode()
    assert '<a class="pill warn" href="?status=override_pending">调整金额待复核 1</a>' in todo
    district = as_user(people.alice).get("/staff/aid/claims/").content.decode()
    assert "override_pending</a>" not in district and "?status=override_pending" not in district


def test_api_answers_202_without_a_payout_while_the_override_waits(ready_claim, people, as_user):
    r = as_user(people.carl).post(
        f"/api/v1/aid/claims/{ready_claim.number}/approve",
        {"override_fen": 1200000, "override_reason": REASON},
        content_type="application/json",
        headers={"Idempotency-Key": "o-1"},
    )
    assert r.status_code == 202
    assert r.json()["payout"] is None
    assert r.json()["claim"]["status"] == "override_pending"
    assert not Payout.objects.exists()


def test_unauthenticated_confirmation_goes_to_sign_in(pending):
    r = Client().post(f"/staff/aid/claims/{pending.number}/override-confirm/")
    assert r.status_code == 302 and "/login" in r["Location"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_confirmations_make_one_payout(people, plans, rider):
    from datetime import date

    from waystation.aid.tests.conftest import claim_data, make_ready, report_claim
    from waystation.aid.tests.test_payout import THREADS, race

    enrolment = services.enrolment_self(
        member=rider, plan=plans["accident"], today=date(2026, 1, 5)
    )
    for round_ in range(3):
        claim = make_ready(report_claim(rider, claim_data(enrolment)), people.alice)
        assert _approve(claim, people.carl, 1200000) is None
        payout_ids, errors = race(
            claim.pk,
            lambda c, i: services.claim_override_confirm(claim=c, actor=people.admin),
            people.carl,
        )
        assert errors == [], f"round {round_}: {errors[:3]}"
        assert Payout.objects.filter(claim=claim).count() == 1, f"round {round_}"
        assert len(set(payout_ids)) == 1 and len(payout_ids) >= THREADS // 2
        claim.refresh_from_db()
        assert (claim.status, claim.approved_fen) == (Claim.Status.APPROVED, 1200000)

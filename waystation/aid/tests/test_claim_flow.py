"""The review state machine: each step, the illegal ones, returns and rejections, the audit."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from waystation.accounts.access import NotInScope
from waystation.accounts.models import Platform
from waystation.aid import services
from waystation.aid.models import Claim
from waystation.aid.services import ClaimStateError
from waystation.aid.tests.conftest import attach_required, claim_data, exported, report_claim
from waystation.privacy.models import AuditLog


def meituan():
    return Platform.objects.get(code="meituan")


def test_report_creates_a_submitted_claim_waiting_for_the_platform(claim):
    assert claim.status == Claim.Status.SUBMITTED
    assert claim.platform_status == Claim.PlatformStatus.PENDING
    assert claim.number.startswith("HZ")
    assert claim.bank_card_masked == "6222***********3445"
    assert "6222020200112233445" not in claim.bank_card_enc
    assert AuditLog.objects.filter(action="aid.claim_report", object_id=str(claim.pk)).exists()


def test_report_rejects_a_date_outside_cover(enrolment, rider):
    with pytest.raises(ValidationError) as e:
        report_claim(rider, claim_data(enrolment, incident_date=date(2025, 12, 31)))
    assert "incident_date" in e.value.message_dict


def test_report_rejects_another_members_enrolment(enrolment, other_rider):
    with pytest.raises(ValidationError) as e:
        report_claim(other_rider, claim_data(enrolment))
    assert "enrolment" in e.value.message_dict


def test_review_waits_for_platform_confirmation(claim, people):
    attach_required(claim)
    with pytest.raises(ClaimStateError, match="平台尚未确认"):
        services.claim_review(claim=claim, actor=people.alice)


def test_review_refuses_missing_documents(claim, people):
    services.claim_platform_confirm(claim=claim, platform=meituan(), working=True, actor=meituan())
    with pytest.raises(ClaimStateError, match="缺少材料：医疗费用发票、诊断证明"):
        services.claim_review(claim=claim, actor=people.alice)


def test_platform_denial_blocks_review(claim, people):
    attach_required(claim)
    services.claim_platform_confirm(
        claim=claim, platform=meituan(), working=False, note="未在线", actor=meituan()
    )
    with pytest.raises(ClaimStateError, match="不在岗"):
        services.claim_review(claim=claim, actor=people.alice)


def test_other_platform_cannot_confirm(claim):
    eleme = Platform.objects.get(code="eleme")
    with pytest.raises(NotInScope):
        services.claim_platform_confirm(claim=claim, platform=eleme, working=True, actor=eleme)


def test_full_path_to_paid(ready_claim, people):
    assert ready_claim.status == Claim.Status.DISTRICT_APPROVED
    payout = services.claim_approve(claim=ready_claim, actor=people.carl)
    ready_claim.refresh_from_db()
    assert ready_claim.status == Claim.Status.APPROVED
    assert payout.amount_fen == ready_claim.approved_fen == 248000 + 15000
    assert [x["text"] for x in ready_claim.payable_lines] == [
        "意外医疗费 ¥3,200 − 免赔 ¥100 = ¥3,100 × 80% = ¥2,480，单次上限 ¥10,000",
        "住院津贴 3 天 × ¥50 = ¥150",
    ]
    exported(payout, people.carl)
    services.payout_mark_paid(payout=payout, bank_reference="ICBC20260301001", actor=people.carl)
    ready_claim.refresh_from_db()
    assert ready_claim.status == Claim.Status.PAID
    actions = set(
        AuditLog.objects.filter(object_type="aid.claim", object_id=str(ready_claim.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "aid.claim_report",
        "aid.platform_confirm",
        "aid.claim_review",
        "aid.claim_approve",
    } <= actions


def test_district_staff_cannot_approve(ready_claim, people):
    with pytest.raises(NotInScope):
        services.claim_approve(claim=ready_claim, actor=people.alice)


def test_approve_before_review_is_illegal(claim, people):
    with pytest.raises(ClaimStateError, match="待区级审核"):
        services.claim_approve(claim=claim, actor=people.carl)


def test_review_twice_is_illegal(ready_claim, people):
    with pytest.raises(ClaimStateError):
        services.claim_review(claim=ready_claim, actor=people.alice)


def test_return_then_resubmit(claim, people, rider):
    services.claim_return(claim=claim, actor=people.alice, note="请补充出院小结")
    claim.refresh_from_db()
    assert (claim.status, claim.status_note) == (Claim.Status.RETURNED, "请补充出院小结")
    with pytest.raises(ClaimStateError):
        services.claim_review(claim=claim, actor=people.alice)
    services.claim_resubmit(claim=claim, member=rider)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED


def test_return_needs_a_note(claim, people):
    with pytest.raises(ValidationError):
        services.claim_return(claim=claim, actor=people.alice, note="")


def test_city_may_return_after_district_review(ready_claim, people):
    with pytest.raises(NotInScope):
        services.claim_return(claim=ready_claim, actor=people.alice, note="再看看")
    services.claim_return(claim=ready_claim, actor=people.carl, note="发票不清晰，请重拍")
    ready_claim.refresh_from_db()
    assert ready_claim.status == Claim.Status.RETURNED


def test_rejected_is_final(claim, people, rider):
    services.claim_reject(claim=claim, actor=people.alice, reason="非工作期间受伤")
    claim.refresh_from_db()
    for step in (
        lambda: services.claim_review(claim=claim, actor=people.alice),
        lambda: services.claim_resubmit(claim=claim, member=rider),
        lambda: services.claim_reject(claim=claim, actor=people.alice, reason="再次"),
        lambda: services.claim_approve(claim=claim, actor=people.carl),
    ):
        with pytest.raises(ClaimStateError):
            step()


def test_paid_claim_cannot_be_returned_or_rejected(ready_claim, people):
    payout = services.claim_approve(claim=ready_claim, actor=people.carl)
    exported(payout, people.carl)
    services.payout_mark_paid(payout=payout, bank_reference="B1", actor=people.carl)
    with pytest.raises(ClaimStateError):
        services.claim_return(claim=ready_claim, actor=people.carl, note="晚了")
    with pytest.raises(ClaimStateError):
        services.claim_reject(claim=ready_claim, actor=people.carl, reason="晚了")


def test_override_needs_a_reason_and_is_audited(ready_claim, people):
    with pytest.raises(ValidationError) as e:
        services.claim_approve(claim=ready_claim, actor=people.carl, override_fen=300000)
    assert "override_reason" in e.value.message_dict
    payout = services.claim_approve(
        claim=ready_claim,
        actor=people.carl,
        override_fen=300000,
        override_reason="补计送医交通费，见出租车发票",
    )
    ready_claim.refresh_from_db()
    assert (payout.amount_fen, ready_claim.computed_fen) == (300000, 263000)
    log = AuditLog.objects.get(action="aid.claim_approve", object_id=str(ready_claim.pk))
    assert log.reason == "补计送医交通费，见出租车发票"


def test_assess_changes_the_figures_before_approval(ready_claim, people):
    services.claim_assess(
        claim=ready_claim, actor=people.alice, asks={"medical": {"amount": 100000}}
    )
    ready_claim.refresh_from_db()
    assert ready_claim.payable_amount().total == 72000
    with pytest.raises(ValidationError):
        services.claim_assess(claim=ready_claim, actor=people.alice, asks={"lottery": {}})

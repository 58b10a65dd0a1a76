"""Staff claim page: a step's button is disabled with the reason while documents or the
platform's word are missing; the assessment reads in words and yuan; approving money asks to
confirm on the server; the platform's word, once given, is read-only with an audited correction."""

import pytest
from django.core.exceptions import ValidationError

from waystation.accounts.models import Platform
from waystation.aid import services
from waystation.aid.models import Claim, Payout
from waystation.aid.services import ClaimStateError
from waystation.aid.tests.conftest import attach_required
from waystation.privacy.models import AuditLog


def meituan():
    return Platform.objects.get(code="meituan")


def page(client, claim) -> str:
    return client.get(f"/staff/aid/claims/{claim.number}/").content.decode()


def review_button(html: str) -> str:
    start = html.index('id="review-pass"')
    return html[start - 8 : html.index("</form>", start)]


def test_review_is_disabled_with_every_reason(claim, people, as_user):
    html = review_button(page(as_user(people.alice), claim))
    assert 'disabled aria-describedby="review-blocked"' in html
    assert "<li>平台尚未确认事故时是否在岗，请等待平台确认</li>" in html
    assert "<li>缺少材料：医疗费用发票、诊断证明</li>" in html


def test_review_is_enabled_once_documents_and_platform_are_in(claim, people, as_user):
    attach_required(claim)
    services.claim_platform_confirm(claim=claim, platform=meituan(), working=True, actor=meituan())
    html = review_button(page(as_user(people.alice), claim))
    assert "disabled" not in html and "review-blocked" not in html


def test_the_assessment_reads_in_words_and_yuan(claim, people, as_user):
    html = page(as_user(people.alice), claim)
    assessed = html[html.index('id="assessed"') :]
    assessed = assessed[: assessed.index("</div>")]
    assert "<li>意外医疗费：费用 ¥3,200</li>" in assessed
    assert "<li>住院津贴：住院 3 天</li>" in assessed
    assert "{" not in html[html.index('id="payable"') :].split("</div>")[0]


def test_approving_asks_to_confirm_first(ready_claim, people, as_user):
    carl = as_user(people.carl)
    url = f"/staff/aid/claims/{ready_claim.number}/approve/"
    r = carl.post(url, {"override_yuan": "", "override_reason": ""})
    html = r.content.decode()
    assert r.status_code == 200 and "确认批准给付 ¥2,630" in html
    assert 'name="confirm" value="yes"' in html and ready_claim.bank_card_masked in html
    ready_claim.refresh_from_db()
    assert ready_claim.status == "district_approved" and not Payout.objects.exists()
    r = carl.post(url, {"override_yuan": "", "override_reason": "", "confirm": "yes"})
    assert r.status_code == 302
    ready_claim.refresh_from_db()
    assert ready_claim.status == "approved" and Payout.objects.get().amount_fen == 263000


def test_the_confirmation_carries_the_override(ready_claim, people, as_user):
    carl = as_user(people.carl)
    url = f"/staff/aid/claims/{ready_claim.number}/approve/"
    data = {"override_yuan": "2000", "override_reason": "发票部分不符合报销范围"}
    html = carl.post(url, data).content.decode()
    assert "调整为" in html and "¥2,000" in html
    assert 'name="override_yuan" value="2000"' in html
    carl.post(url, {**data, "confirm": "yes"})
    ready_claim.refresh_from_db()
    assert (ready_claim.status, ready_claim.approved_fen) == ("approved", 200000)


def test_an_override_that_is_not_an_amount_is_refused_before_the_confirmation(
    ready_claim, people, as_user
):
    r = as_user(people.carl).post(
        f"/staff/aid/claims/{ready_claim.number}/approve/", {"override_yuan": "两千"}
    )
    assert r.status_code == 400 and "请输入金额（元）" in r.content.decode()


def test_the_platforms_word_is_read_only_once_given(claim, people, as_user):
    lily = as_user(people.lily)
    lily.post(f"/staff/aid/claims/{claim.number}/confirm/", {"working": "yes"})
    html = page(lily, claim)
    assert 'id="platform-readonly"' in html and 'id="platform-confirm-form"' not in html
    r = lily.post(f"/staff/aid/claims/{claim.number}/confirm/", {"working": "no"})
    assert r.status_code == 409
    claim.refresh_from_db()
    assert claim.platform_status == "confirmed"


def test_the_same_answer_again_changes_nothing(claim):
    services.claim_platform_confirm(claim=claim, platform=meituan(), working=True, actor=meituan())
    services.claim_platform_confirm(claim=claim, platform=meituan(), working=True, actor=meituan())
    assert AuditLog.objects.filter(action="aid.platform_confirm").count() == 1


def test_a_correction_needs_a_reason_and_is_audited(claim, people, as_user):
    services.claim_platform_confirm(
        claim=claim, platform=meituan(), working=True, note="在线", actor=people.lily
    )
    with pytest.raises(ValidationError):
        services.claim_platform_correct(
            claim=claim, platform=meituan(), working=False, reason="", actor=people.lily
        )
    r = as_user(people.lily).post(
        f"/staff/aid/claims/{claim.number}/correct/",
        {"working": "no", "reason": "查系统后确认当日未上线"},
    )
    assert r.status_code == 302
    claim.refresh_from_db()
    assert (claim.platform_status, claim.platform_note) == ("denied", "查系统后确认当日未上线")
    log = AuditLog.objects.get(action="aid.platform_correct")
    assert log.reason == "查系统后确认当日未上线"
    assert log.detail["before"]["status"] == "confirmed" and log.detail["before"]["note"] == "在线"


def test_union_staff_cannot_correct_the_platforms_word(claim, people):
    services.claim_platform_confirm(claim=claim, platform=meituan(), working=True, actor=meituan())
    from waystation.accounts.access import NotInScope

    with pytest.raises(NotInScope):
        services.claim_platform_correct(
            claim=claim, platform=meituan(), working=False, reason="不对", actor=people.alice
        )


def test_no_correction_once_the_city_approved(ready_claim, people):
    services.claim_approve(claim=ready_claim, actor=people.carl)
    with pytest.raises(ClaimStateError):
        services.claim_platform_correct(
            claim=ready_claim,
            platform=meituan(),
            working=False,
            reason="晚到的更正",
            actor=meituan(),
        )
    assert Claim.objects.get(pk=ready_claim.pk).platform_status == "confirmed"

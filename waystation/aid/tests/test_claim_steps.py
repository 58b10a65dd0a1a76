"""A claim's step bar: 报案 → 平台确认 → 区级审核 → 市级审批 → 打款, each with its date and its
state in plain words, the same on the member's page and in the staff's."""

from django.utils import timezone

from waystation.accounts.models import Platform
from waystation.aid import services
from waystation.aid.progress import claim_steps, live_or_last_payout
from waystation.aid.tests.conftest import attach_required
from waystation.aid.tests.test_api import member_client
from waystation.core.steps import State


def states(claim):
    claim.refresh_from_db()
    steps = claim_steps(claim, live_or_last_payout(claim), claim.missing_documents())
    return [(s.label, s.state, s.note) for s in steps]


def test_a_new_claim_waits_for_the_platform(claim):
    assert states(claim) == [
        ("报案", State.DONE, f"已收到报案 {claim.number}"),
        ("平台确认", State.CURRENT, "等待美团确认事故时是否在岗"),
        ("区级审核", State.CURRENT, "请补充材料：医疗费用发票、诊断证明"),
        ("市级审批", State.TODO, ""),
        ("打款", State.TODO, ""),
    ]


def test_platform_denial_is_a_failed_step(claim):
    meituan = Platform.objects.get(code="meituan")
    services.claim_platform_confirm(claim=claim, platform=meituan, working=False, actor=meituan)
    attach_required(claim)
    s = states(claim)
    assert s[1] == ("平台确认", State.FAILED, "美团回复事故时不在岗")
    assert s[2] == ("区级审核", State.TODO, "")


def test_the_bank_paying_reads_in_plain_words(ready_claim, people):
    payout = services.claim_approve(claim=ready_claim, actor=people.carl)
    assert states(ready_claim)[3:] == [
        ("市级审批", State.DONE, "审批通过，给付 ¥2,630"),
        ("打款", State.CURRENT, "审批通过，等待安排打款"),
    ]
    services.payout_batch_export(actor=people.carl, payouts=[payout])
    assert states(ready_claim)[4] == ("打款", State.CURRENT, "银行打款中")
    html = member_client(ready_claim.member).get(f"/me/aid/claims/{ready_claim.number}/")
    page = html.content.decode()
    assert "银行打款中" in page and "已导出" not in page and "待银行回单" not in page
    payout.refresh_from_db()
    services.payout_mark_paid(payout=payout, bank_reference="R-9", actor=people.carl)
    assert states(ready_claim)[4] == ("打款", State.DONE, "已打款")


def test_a_refusal_by_the_city_fails_the_city_step(ready_claim, people):
    services.claim_reject(claim=ready_claim, actor=people.carl, reason="非工作时间事故")
    s = states(ready_claim)
    assert s[2][1] == State.DONE
    assert s[3] == ("市级审批", State.FAILED, "未通过：非工作时间事故")


def test_the_member_page_draws_the_bar_with_dates(ready_claim):
    html = member_client(ready_claim.member).get(f"/me/aid/claims/{ready_claim.number}/")
    page = html.content.decode()
    bar = page[page.index('id="claim-steps"') : page.index("</ol>")]
    assert bar.count('class="step ') == 5
    assert 'class="step current" aria-current="step"' in bar
    assert "市工会审批中" in bar
    assert f"{timezone.localtime(ready_claim.reviewed_at):%-m月%-d日}" in bar


def test_the_member_list_says_where_each_claim_stands(claim):
    meituan = Platform.objects.get(code="meituan")
    services.claim_platform_confirm(claim=claim, platform=meituan, working=True, actor=meituan)
    attach_required(claim)
    html = member_client(claim.member).get("/me/aid/").content.decode()
    mine = html[html.index('id="my-claims"') :]
    assert "区工会审核中" in mine and "待区级审核" not in mine

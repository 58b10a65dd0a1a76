"""The member is told by SMS at each step of their claim, in the step bar's words, through the
site's SMS backend; a member who turned it off gets none; a refused step sends nothing."""

import pytest
from django.core.exceptions import ValidationError

from waystation.accounts.models import Platform
from waystation.aid import services
from waystation.aid.tests.conftest import attach_required, claim_data, report_claim
from waystation.aid.tests.test_api import member_client
from waystation.members.sms import TestBackend


@pytest.fixture(autouse=True)
def outbox():
    TestBackend.outbox.clear()
    yield TestBackend.outbox
    TestBackend.outbox.clear()


def texts(outbox):
    return [text for _phone, text in outbox]


@pytest.mark.django_db(transaction=True)
def test_each_step_sends_one_text_in_plain_words(enrolment, rider, people, outbox):
    claim = report_claim(rider, claim_data(enrolment))
    meituan = Platform.objects.get(code="meituan")
    attach_required(claim)
    services.claim_platform_confirm(claim=claim, platform=meituan, working=True, actor=meituan)
    services.claim_review(claim=claim, actor=people.alice)
    payout = services.claim_approve(claim=claim, actor=people.carl)
    services.payout_batch_export(actor=people.carl, payouts=[payout])
    payout.refresh_from_db()
    services.payout_mark_paid(payout=payout, bank_reference="R-1", actor=people.carl)
    n = claim.number
    sign = claim.city.sms_signature
    assert texts(outbox) == [
        f"【{sign}】您的互助保障申请 {n}：等待美团确认事故时是否在岗。详情请在“我的互助保障”查看。",
        f"【{sign}】您的互助保障申请 {n}：区工会审核中。详情请在“我的互助保障”查看。",
        f"【{sign}】您的互助保障申请 {n}：市工会审批中。详情请在“我的互助保障”查看。",
        f"【{sign}】您的互助保障申请 {n}：审批通过，等待安排打款。详情请在“我的互助保障”查看。",
        f"【{sign}】您的互助保障申请 {n}：银行打款中。详情请在“我的互助保障”查看。",
        f"【{sign}】您的互助保障申请 {n}：已打款。详情请在“我的互助保障”查看。",
    ]
    assert {phone for phone, _t in outbox} == {rider.phone_masked}


@pytest.mark.django_db(transaction=True)
def test_a_member_who_turned_it_off_gets_no_text(enrolment, rider, people, outbox):
    r = member_client(rider).post("/me/aid/sms/", {"sms": "off"})
    assert r.status_code == 302
    rider.refresh_from_db()
    assert rider.aid_sms_opt_out is True
    claim = report_claim(rider, claim_data(enrolment))
    services.claim_return(claim=claim, actor=people.alice, note="请补充诊断证明")
    assert outbox == []
    member_client(rider).post("/me/aid/sms/", {"sms": "on"})
    services.claim_resubmit(claim=claim, member=rider)
    services.claim_reject(claim=claim, actor=people.alice, reason="重复报案")
    assert texts(outbox) == [
        f"【{claim.city.sms_signature}】您的互助保障申请 {claim.number}：未通过：重复报案。"
        "详情请在“我的互助保障”查看。"
    ]


@pytest.mark.django_db(transaction=True)
def test_a_refused_step_sends_nothing(enrolment, rider, people, outbox):
    claim = report_claim(rider, claim_data(enrolment))
    outbox.clear()
    with pytest.raises(ValidationError):
        services.claim_review(claim=claim, actor=people.alice)  # platform pending
    assert outbox == []


def test_the_setting_shows_on_the_members_page(rider, plans):
    html = member_client(rider).get("/me/aid/").content.decode()
    assert "关闭短信提醒" in html and 'name="sms" value="off"' in html


@pytest.mark.prg("aid:sms_setting")
def test_the_setting_redirects_to_my_cover(rider, plans):
    r = member_client(rider).post("/me/aid/sms/", {"sms": "off"})
    assert (r.status_code, r["Location"]) == (302, "/me/aid/")

"""Post/Redirect/Get on the aid pages: each successful POST answers 302 to the page that shows
its result, so reloading or going Back never submits it twice (core/tests/test_prg_coverage.py
checks that every page taking a POST has such a test)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from waystation.aid import services
from waystation.aid.models import Claim, Condolence, GiftBatch, Plan
from waystation.aid.tests.conftest import exported, make_member
from waystation.aid.tests.test_api import member_client
from waystation.aid.tests.test_plans import NEW_PLAN, form_of

PDF = b"%PDF-1.4\n%test\n"


@pytest.mark.prg("aid:enrol")
def test_self_enrolment_redirects_to_my_cover(plans, rider):
    r = member_client(rider).post(f"/me/aid/enrol/{plans['accident'].code}/", {"confirm": "yes"})
    assert (r.status_code, r["Location"]) == (302, "/me/aid/")
    assert rider.aid_enrolments.count() == 1


@pytest.mark.prg("aid:claim_new")
def test_reporting_a_claim_redirects_to_the_claim(enrolment, rider):
    r = member_client(rider).post(
        "/me/aid/claims/new/",
        {"enrolment": enrolment.pk, "incident_type": "accident", "incident_date": "2026-03-02",
         "incident_place": "延陵西路", "description": "送餐时摔倒", "platform": "meituan",
         "medical_yuan": "3200", "hospital_days": "", "bank_name": "工商银行",
         "bank_card": "6222 0202 0011 2233 445"},
    )  # fmt: skip
    claim = Claim.objects.get()
    assert (r.status_code, r["Location"]) == (302, f"/me/aid/claims/{claim.number}/")


@pytest.mark.prg("aid:upload")
def test_uploading_a_document_redirects_to_the_claim(claim, rider):
    r = member_client(rider).post(
        f"/me/aid/claims/{claim.number}/documents/",
        {"doc_type": "invoice", "file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
    )
    assert (r.status_code, r["Location"]) == (302, f"/me/aid/claims/{claim.number}/")
    assert claim.documents.count() == 1


@pytest.mark.prg("aid:resubmit")
def test_resubmitting_a_returned_claim_redirects_to_the_claim(claim, rider, people):
    services.claim_return(claim=claim, actor=people.alice, note="请补充发票")
    r = member_client(rider).post(f"/me/aid/claims/{claim.number}/resubmit/")
    assert (r.status_code, r["Location"]) == (302, f"/me/aid/claims/{claim.number}/")
    claim.refresh_from_db()
    assert claim.status != Claim.Status.RETURNED


@pytest.mark.prg("aid:claim_action")
def test_a_review_action_redirects_to_the_staff_claim_page(claim, people, as_user):
    r = as_user(people.alice).post(
        f"/staff/aid/claims/{claim.number}/return/", {"note": "请补充诊断证明"}
    )
    assert (r.status_code, r["Location"]) == (302, f"/staff/aid/claims/{claim.number}/")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RETURNED


@pytest.mark.prg("aid:payout_action")
def test_marking_a_payout_paid_redirects_to_the_payouts(ready_claim, people, as_user):
    payout = exported(services.claim_approve(claim=ready_claim, actor=people.carl), people.carl)
    r = as_user(people.carl).post(
        f"/staff/aid/payouts/{payout.pk}/paid/", {"bank_reference": "ICBC-1"}
    )
    assert (r.status_code, r["Location"]) == (302, "/staff/aid/payouts/")
    payout.refresh_from_db()
    assert payout.status == "paid"


@pytest.mark.prg("aid:plans")
def test_starting_a_gift_redirects_to_its_progress(plans, people, as_user, orgs):
    make_member("CZ00000001")
    r = as_user(people.alice).post(
        "/staff/aid/plans/",
        {"plan": plans["accident"].pk, "unit": orgs["tianning"].pk, "district": "tianning"},
    )
    batch = GiftBatch.objects.get()
    assert (r.status_code, r["Location"]) == (302, f"/staff/aid/plans/?batch={batch.pk}")


@pytest.mark.prg("aid:plan_new")
def test_creating_a_plan_redirects_to_the_plans(people, as_user, orgs):
    r = as_user(people.carl).post("/staff/aid/plans/new/", NEW_PLAN)
    assert (r.status_code, r["Location"]) == (302, "/staff/aid/plans/")
    assert Plan.objects.filter(code="courier-2027").exists()


@pytest.mark.prg("aid:plan_edit")
def test_editing_a_plan_redirects_to_the_plans(plans, people, as_user):
    plan = plans["accident"]
    r = as_user(people.carl).post(f"/staff/aid/plans/{plan.code}/", form_of(plan, name="新名称"))
    assert (r.status_code, r["Location"]) == (302, "/staff/aid/plans/")
    plan.refresh_from_db()
    assert plan.name == "新名称"


@pytest.mark.prg("aid:plan_copy")
def test_copying_a_plan_redirects_to_the_copy(plans, people, as_user):
    r = as_user(people.carl).post("/staff/aid/plans/accident-2026/copy/", {"year": "2027"})
    assert (r.status_code, r["Location"]) == (302, "/staff/aid/plans/accident-2027/")


@pytest.mark.prg("aid:condolences")
def test_recording_a_condolence_redirects_to_the_list(people, as_user, orgs):
    make_member("CZ00000009", industry="truck", id_tail="0099")
    r = as_user(people.alice).post(
        "/staff/aid/condolences/",
        {"member": "CZ00000009", "visited_on": "2026-07-01", "cash_yuan": "5000", "goods": "米",
         "goods_yuan": "300", "reason": "会员罹患癌症", "approver": people.carl.pk},
    )  # fmt: skip
    assert (r.status_code, r["Location"]) == (302, "/staff/aid/condolences/")
    assert Condolence.objects.count() == 1

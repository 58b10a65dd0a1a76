"""Member and staff pages: access (404 to outsiders), uploads, the review buttons, payouts."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from waystation.aid import services
from waystation.aid.models import Claim, ClaimDocument
from waystation.aid.services import documents
from waystation.aid.tests.conftest import phone_form
from waystation.aid.tests.test_api import member_client
from waystation.privacy.models import AuditLog


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return buf.getvalue()


def test_member_sees_cover_and_claims(claim, rider):
    r = member_client(rider).get("/me/aid/")
    assert r.status_code == 200
    html = r.content.decode()
    assert claim.number in html and "户外劳动者意外伤害互助保障" in html and "示例方案" in html


def test_signed_out_member_goes_to_login(orgs):
    r = Client().get("/me/aid/")
    assert r.status_code == 302 and "/me/login/" in r["Location"]


def test_member_self_enrols_once(plans, rider):
    c = member_client(rider)
    for _ in range(2):
        r = c.post(f"/me/aid/enrol/{plans['accident'].code}/", {"confirm": "yes"})
        assert r.status_code == 302
    assert rider.aid_enrolments.count() == 1


def test_member_reports_from_the_phone_form(enrolment, rider):
    r = member_client(rider).post("/me/aid/claims/new/", phone_form(enrolment))
    assert r.status_code == 302, r.content.decode()[:2000]
    claim = Claim.objects.get()
    assert claim.asks == {"medical": {"amount": 320000}}


def test_other_member_gets_404_on_claim_and_documents(claim, rider, other_rider):
    doc = services.claim_document_add(
        claim=claim,
        doc_type="invoice",
        upload=SimpleUploadedFile("a.png", png_bytes(), "image/png"),
        member=rider,
    )
    other = member_client(other_rider)
    assert other.get(f"/me/aid/claims/{claim.number}/").status_code == 404
    assert other.get(f"/aid/documents/{doc.pk}/").status_code == 404
    assert Client().get(f"/aid/documents/{doc.pk}/").status_code == 404
    r = member_client(rider).get(f"/aid/documents/{doc.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"


def test_staff_document_access_follows_scope(claim, people, as_user, rider):
    doc = services.claim_document_add(
        claim=claim,
        doc_type="invoice",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.7 x", "application/pdf"),
        member=rider,
    )
    assert as_user(people.alice).get(f"/aid/documents/{doc.pk}/").status_code == 200
    assert as_user(people.charlie).get(f"/aid/documents/{doc.pk}/").status_code == 404
    assert as_user(people.olga).get(f"/aid/documents/{doc.pk}/").status_code == 404


def test_upload_checks_content_not_name(claim, rider):
    c = member_client(rider)
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    c.post(f"/me/aid/claims/{claim.number}/documents/", {"doc_type": "invoice", "file": fake})
    assert ClaimDocument.objects.count() == 0
    html = c.get(f"/me/aid/claims/{claim.number}/").content.decode()
    assert "只接受 JPG、PNG 图片或 PDF 文件" in html


def test_upload_refuses_oversize(claim, rider, monkeypatch):
    monkeypatch.setattr(documents, "MAX_UPLOAD_BYTES", 1024)
    big = SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 2000, "application/pdf")
    with pytest.raises(ValidationError, match="文件过大"):
        services.claim_document_add(claim=claim, doc_type="invoice", upload=big, member=rider)


def test_upload_is_stored_privately_under_a_generated_name(claim, rider, settings):
    doc = services.claim_document_add(
        claim=claim,
        doc_type="diagnosis",
        upload=SimpleUploadedFile("张三 诊断.png", png_bytes(), "image/png"),
        member=rider,
    )
    path = settings.PRIVATE_MEDIA_ROOT / doc.stored_name
    assert path.exists() and "张三" not in doc.stored_name and doc.stored_name.endswith(".png")
    assert not str(path).startswith(str(settings.MEDIA_ROOT))


def test_staff_claim_pages_follow_scope(claim, people, as_user):
    assert as_user(people.alice).get("/staff/aid/claims/").status_code == 200
    assert claim.number in as_user(people.alice).get("/staff/aid/claims/").content.decode()
    assert claim.number not in as_user(people.charlie).get("/staff/aid/claims/").content.decode()
    assert as_user(people.charlie).get(f"/staff/aid/claims/{claim.number}/").status_code == 404
    assert as_user(people.lily).get(f"/staff/aid/claims/{claim.number}/").status_code == 200
    assert as_user(people.olga).get("/staff/aid/claims/").status_code == 404


def test_claim_list_query_count_is_flat(claim, people, as_user, django_assert_max_num_queries):
    c = as_user(people.carl)
    c.get("/staff/aid/claims/")
    with django_assert_max_num_queries(12):
        assert claim.number in c.get("/staff/aid/claims/").content.decode()


def test_review_and_approve_through_pages(claim, people, as_user):
    from waystation.accounts.models import Platform
    from waystation.aid.tests.conftest import attach_required

    attach_required(claim)
    lily = as_user(people.lily)
    lily.post(f"/staff/aid/claims/{claim.number}/confirm/", {"working": "yes", "note": "在线"})
    claim.refresh_from_db()
    assert claim.platform_status == "confirmed"
    assert Platform.objects.get(code="meituan").pk == claim.platform_id
    as_user(people.alice).post(f"/staff/aid/claims/{claim.number}/review/")
    # a district reviewer cannot approve: 404, nothing changes
    r = as_user(people.alice).post(f"/staff/aid/claims/{claim.number}/approve/")
    assert r.status_code == 404
    as_user(people.carl).post(f"/staff/aid/claims/{claim.number}/approve/", {"confirm": "yes"})
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.approved_fen == 263000


def test_payout_pages_export_and_mark_paid(ready_claim, people, as_user):
    p = services.claim_approve(claim=ready_claim, actor=people.carl)
    carl = as_user(people.carl)
    assert as_user(people.alice).get("/staff/aid/payouts/").status_code == 404
    r = carl.post("/staff/aid/payouts/export/", {"payout": [p.pk]})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = carl.post(f"/staff/aid/payouts/{p.pk}/paid/", {"bank_reference": "ICBC-1"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "paid"
    assert AuditLog.objects.filter(action="aid.payout_batch_export").exists()


def test_stats_and_plans_pages(ready_claim, people, as_user):
    for url in ("/staff/aid/stats/", "/staff/aid/plans/", "/staff/aid/condolences/"):
        assert as_user(people.alice).get(url).status_code == 200, url
        assert as_user(people.olga).get(url).status_code == 404, url
    assert as_user(people.admin).get("/staff/aid/plans/accident-2026/").status_code == 200
    assert as_user(people.alice).get("/staff/aid/plans/accident-2026/").status_code == 404


def test_condolence_for_a_truck_driver(people, as_user, orgs):
    from waystation.aid.models import Condolence
    from waystation.aid.tests.conftest import make_member

    m = make_member("CZ00000009", industry="truck", id_tail="0099")
    r = as_user(people.alice).post(
        "/staff/aid/condolences/",
        {
            "member": "CZ00000009",
            "visited_on": "2026-07-01",
            "cash_yuan": "5000",
            "goods": "米、油、营养品",
            "goods_yuan": "300",
            "reason": "货车司机会员罹患癌症",
            "approver": people.carl.pk,
        },
    )
    assert r.status_code == 302
    c = Condolence.objects.get(member=m)
    assert (c.cash_fen, c.goods_value_fen, c.approver) == (500000, 30000, people.carl)


def test_documents_are_sandboxed_and_pdfs_download(claim, people, as_user, rider):
    pdf = services.claim_document_add(
        claim=claim,
        doc_type="diagnosis",
        upload=SimpleUploadedFile("d.pdf", b"%PDF-1.7 x", "application/pdf"),
        member=rider,
    )
    png = services.claim_document_add(
        claim=claim,
        doc_type="invoice",
        upload=SimpleUploadedFile("a.png", png_bytes(), "image/png"),
        member=rider,
    )
    c = as_user(people.alice)
    r_pdf, r_png = c.get(f"/aid/documents/{pdf.pk}/"), c.get(f"/aid/documents/{png.pk}/")
    assert r_pdf["Content-Disposition"].startswith("attachment;")
    assert r_png["Content-Disposition"].startswith("inline;")
    assert r_pdf["Content-Security-Policy"] == r_png["Content-Security-Policy"] == "sandbox"


def test_a_refused_step_shows_its_message_on_the_claim_page_and_changes_nothing(
    claim, people, as_user
):
    alice = as_user(people.alice)
    r = alice.post(f"/staff/aid/claims/{claim.number}/return/", {"note": " "})
    assert r.status_code == 400
    assert '<li class="error">请填写理由</li>' in r.content.decode()
    r = alice.post(f"/staff/aid/claims/{claim.number}/review/")  # 美团 has not confirmed yet
    assert r.status_code == 409
    assert '<li class="error">平台尚未确认事故时是否在岗，请等待平台确认</li>' in r.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.status_note) == ("submitted", "")


def test_a_decompression_bomb_document_is_refused_with_a_message(claim, rider, settings):
    from waystation.core.tests.files import bomb_png

    c = member_client(rider)
    upload = SimpleUploadedFile("scan.png", bomb_png(), "image/png")
    r = c.post(f"/me/aid/claims/{claim.number}/documents/", {"doc_type": "invoice", "file": upload})
    assert r.status_code == 302
    assert not ClaimDocument.objects.exists()
    assert not (settings.PRIVATE_MEDIA_ROOT / "aid").exists()
    page = c.get(r.url).content.decode()
    assert "图片尺寸过大：最多 5,000 万像素，请缩小后再上传" in page


@pytest.mark.parametrize("ref", ["XFD1048576", "AD1000000"])
def test_a_gift_list_reaching_a_far_cell_is_refused_with_a_message(
    plans, people, as_user, orgs, ref
):
    from waystation.aid.models import GiftBatch
    from waystation.core.tests.files import far_cell_workbook

    upload = SimpleUploadedFile("list.xlsx", far_cell_workbook(ref, header=["会员号"]))
    form = {"plan": plans["accident"].pk, "unit": orgs["city"].pk, "file": upload}
    r = as_user(people.carl).post("/staff/aid/plans/", form)
    assert r.status_code == 200
    page = r.content.decode()
    assert "表格过大：数据延伸到第" in page and f"（{ref}），上限为 250,000 行" in page
    assert not GiftBatch.objects.exists()

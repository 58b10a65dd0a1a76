"""Claim documents (invoices, diagnoses, bank cards) are for the claimant and union staff in scope;
a platform liaison confirms work status and sees the claim, never its documents."""

from django.core.files.uploadedfile import SimpleUploadedFile

from waystation.aid import services


def test_platform_liaison_cannot_open_documents_of_a_claim_naming_their_platform(
    claim, people, as_user, rider
):
    doc = services.claim_document_add(
        claim=claim,
        doc_type="diagnosis",
        upload=SimpleUploadedFile("d.pdf", b"%PDF-1.7 x", "application/pdf"),
        member=rider,
    )
    lily = as_user(people.lily)  # 美团 liaison; the claim names 美团
    assert lily.get(f"/staff/aid/claims/{claim.number}/").status_code == 200
    assert lily.get(f"/aid/documents/{doc.pk}/").status_code == 404
    assert as_user(people.alice).get(f"/aid/documents/{doc.pk}/").status_code == 200

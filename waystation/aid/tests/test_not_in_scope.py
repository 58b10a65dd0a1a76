"""The services of the money path decide who may act, whoever calls them, and refuse with
NotInScope; pages and the API answer that refusal with their 404, never 403, never 500."""

import pytest

from waystation.accounts.access import NotInScope
from waystation.aid import services
from waystation.aid.models import Claim, Payout
from waystation.privacy.models import AuditLog

from .conftest import attach_required

NOT_FOUND_PAGE = "找不到这个页面"


def test_a_reviewer_of_another_district_is_refused_by_the_service(claim, people):
    """charlie reviews claims, but not 天宁's: the service asks for the scope, not the view."""
    attach_required(claim)
    with pytest.raises(NotInScope):
        services.claim_return(claim=claim, actor=people.charlie, note="请补充材料")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert not AuditLog.objects.filter(action="aid.claim_return").exists()


def test_a_platform_liaison_is_no_reviewer_even_of_a_claim_she_sees(claim, people):
    with pytest.raises(NotInScope):
        services.claim_reject(claim=claim, actor=people.lily, reason="不在岗")


def test_the_reviewer_in_scope_takes_the_same_step(claim, people):
    services.claim_return(claim=claim, actor=people.alice, note="请补充材料")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RETURNED


def test_approving_on_the_page_without_the_role_answers_the_404_page(ready_claim, people, as_user):
    """alice sees the claim (the view's fetch passes) but the service refuses the approval."""
    r = as_user(people.alice).post(f"/staff/aid/claims/{ready_claim.number}/approve/")
    assert r.status_code == 404
    assert NOT_FOUND_PAGE in r.content.decode()
    ready_claim.refresh_from_db()
    assert ready_claim.status == Claim.Status.DISTRICT_APPROVED
    assert not Payout.objects.exists()


def test_approving_by_api_without_the_role_answers_404(ready_claim, people, as_user):
    r = as_user(people.alice).post(
        f"/api/v1/aid/claims/{ready_claim.number}/approve",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert (r.status_code, r.json()) == (404, {"detail": "未找到 (not found)"})
    assert not Payout.objects.exists()


def test_the_api_documents_no_403_for_approval(client, orgs):
    op = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/aid/claims/{number}/approve"]
    assert "403" not in op["post"]["responses"] and "404" in op["post"]["responses"]

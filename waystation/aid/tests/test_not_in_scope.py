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


def test_a_gift_is_given_only_in_the_name_of_a_union_the_giver_acts_for(people, plans, orgs):
    """alice (天宁) may not gift in 钟楼's name, nor dora (外卖 union) in 天宁's."""
    from waystation.aid.models import GiftBatch
    from waystation.jobs.models import Job

    for actor, unit in [
        (people.alice, "zhonglou"),
        (people.charlie, "tianning"),
        (people.dora, "tianning"),
        (people.lily, "food_delivery"),
        (people.olga, "tianning"),
    ]:
        gift = services.Gift(plan=plans["accident"], unit=orgs[unit], filters={})
        with pytest.raises(NotInScope):
            services.gift_batch_start(gift=gift, actor=actor)
    assert not GiftBatch.objects.exists() and not Job.objects.exists()
    gift = services.Gift(plan=plans["accident"], unit=orgs["zhonglou"], filters={})
    assert services.gift_batch_start(gift=gift, actor=people.carl).unit == orgs["zhonglou"]


def test_a_gift_page_post_naming_another_union_starts_nothing(people, plans, orgs, as_user):
    """The page offers only the giver's unions: another one is refused as a choice."""
    from waystation.aid.models import GiftBatch

    r = as_user(people.alice).post(
        "/staff/aid/plans/", {"plan": plans["accident"].pk, "unit": orgs["zhonglou"].pk}
    )
    assert r.status_code == 200 and "请选择方案和赠送工会" in r.content.decode()
    assert not GiftBatch.objects.exists()


def condolence(member, actor, unit, approver):
    from datetime import date

    return services.condolence_record(
        member=member, visited_on=date(2026, 7, 1), cash_fen=50000, goods="",
        goods_value_fen=0, reason="重病慰问", approver=approver, actor=actor, unit=unit,
    )  # fmt: skip


def test_a_condolence_visit_is_recorded_only_for_a_member_in_scope(people, orgs, other_rider):
    """The 钟楼 rider is not 天宁 alice's to visit, nor the liaison's."""
    from waystation.aid.models import Condolence

    for actor, unit in [(people.alice, "tianning"), (people.lily, "food_delivery")]:
        with pytest.raises(NotInScope):
            condolence(other_rider, actor, orgs[unit], people.carl)
    assert not Condolence.objects.exists()
    assert (
        condolence(other_rider, people.charlie, orgs["zhonglou"], people.carl).member == other_rider
    )


def test_a_condolence_visit_is_recorded_only_in_a_union_the_visitor_acts_for(people, orgs, rider):
    from waystation.aid.models import Condolence

    with pytest.raises(NotInScope):
        condolence(rider, people.alice, orgs["zhonglou"], people.carl)
    assert not Condolence.objects.exists()


def test_a_condolence_page_post_for_a_member_out_of_scope_records_nothing(
    people, as_user, other_rider
):
    from waystation.aid.models import Condolence

    r = as_user(people.alice).post(
        "/staff/aid/condolences/",
        {"member": other_rider.member_number, "cash_yuan": "500", "reason": "重病慰问",
         "approver": people.carl.pk},
    )  # fmt: skip
    assert r.status_code == 200 and "会员号、手机号或身份证号不在您的范围内" in r.content.decode()
    assert not Condolence.objects.exists()


def test_the_platforms_word_comes_only_from_the_claims_platform(claim, people):
    """Its own token or its liaison: not another platform, its liaison, or union staff."""
    from waystation.accounts.models import Platform, StaffRole

    meituan, eleme = Platform.objects.get(code="meituan"), Platform.objects.get(code="eleme")
    ele_liaison = type(people.lily).objects.create_user("eli")
    StaffRole.objects.create(
        user=ele_liaison, role=StaffRole.Role.PLATFORM_LIAISON, unit=people.lily.roles.get().unit,
        platform=eleme,
    )  # fmt: skip
    for platform, actor in [
        (meituan, eleme),  # another platform's token naming 美团
        (meituan, ele_liaison),
        (meituan, people.alice),  # union staff over the claim, but no platform
        (meituan, people.olga),
        (meituan, None),
        (eleme, ele_liaison),  # not the claim's platform
    ]:
        with pytest.raises(NotInScope):
            services.claim_platform_confirm(
                claim=claim, platform=platform, working=True, actor=actor
            )
    claim.refresh_from_db()
    assert claim.platform_status == Claim.PlatformStatus.PENDING
    services.claim_platform_confirm(claim=claim, platform=meituan, working=True, actor=people.lily)
    claim.refresh_from_db()
    assert claim.platform_status == Claim.PlatformStatus.CONFIRMED


def test_confirming_on_the_page_without_speaking_for_the_platform_answers_404(
    claim, people, as_user
):
    """alice sees the claim (the view's fetch passes) but the service refuses her the platform's
    word. Another platform's token on the API: test_api::test_wrong_token_401_other_platform_404."""
    r = as_user(people.alice).post(f"/staff/aid/claims/{claim.number}/confirm/", {"working": "yes"})
    assert r.status_code == 404 and NOT_FOUND_PAGE in r.content.decode()
    claim.refresh_from_db()
    assert claim.platform_status == Claim.PlatformStatus.PENDING


def test_assessing_a_claim_out_of_scope_is_refused_by_the_service(claim, people):
    with pytest.raises(NotInScope):
        services.claim_assess(claim=claim, asks={"medical": {"amount": 1}}, actor=people.charlie)
    claim.refresh_from_db()
    assert claim.asks["medical"] == {"amount": 320000}


def test_a_payout_is_asked_for_only_by_a_city_approver(ready_claim, people):
    payout = services.claim_approve(claim=ready_claim, actor=people.carl)
    for actor in (people.alice, people.lily, None):
        with pytest.raises(NotInScope):
            services.payout_create(claim=ready_claim, actor=actor)
    assert services.payout_create(claim=ready_claim, actor=people.admin) == payout


def test_documents_are_added_only_by_the_claimant(claim, other_rider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%test\n", "application/pdf")
    with pytest.raises(NotInScope):
        services.claim_document_add(claim=claim, doc_type="invoice", upload=pdf, member=other_rider)
    assert not claim.documents.exists()

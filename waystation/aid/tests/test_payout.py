"""Exactly one payout per claim: repeats, re-issues after a failed transfer, concurrency."""

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from openpyxl import load_workbook

from waystation.accounts.access import NotInScope
from waystation.aid import services
from waystation.aid.models import Claim, Payout
from waystation.aid.services import ClaimStateError
from waystation.aid.tests.conftest import exported
from waystation.privacy.models import AuditLog


def test_approving_twice_returns_the_same_payout(ready_claim, people):
    first = services.claim_approve(claim=ready_claim, actor=people.carl)
    again = services.claim_approve(claim=ready_claim, actor=people.admin)
    assert first.pk == again.pk
    assert services.payout_create(claim=ready_claim, actor=people.carl).pk == first.pk
    assert Payout.objects.filter(claim=ready_claim).count() == 1


def test_database_refuses_a_second_live_payout(ready_claim, people):
    services.claim_approve(claim=ready_claim, actor=people.carl)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(claim=ready_claim, amount_fen=1)


def test_failed_transfer_is_reissued_once(ready_claim, people):
    payout = exported(services.claim_approve(claim=ready_claim, actor=people.carl), people.carl)
    services.payout_mark_failed(payout=payout, reason="户名不符", actor=people.carl)
    new = services.payout_reissue(payout=payout, actor=people.carl, bank_card="6217000011112222")
    assert new.supersedes_id == payout.pk and new.amount_fen == payout.amount_fen
    assert services.payout_reissue(payout=payout, actor=people.carl).pk == new.pk
    ready_claim.refresh_from_db()
    assert ready_claim.bank_card_masked == "6217********2222"
    assert Payout.objects.filter(claim=ready_claim).exclude(status="failed").count() == 1
    with pytest.raises(ClaimStateError):
        services.payout_reissue(payout=new, actor=people.carl)


def test_paid_payout_cannot_fail_or_be_paid_with_another_reference(ready_claim, people):
    payout = exported(services.claim_approve(claim=ready_claim, actor=people.carl), people.carl)
    services.payout_mark_paid(payout=payout, bank_reference="R-1", actor=people.carl)
    assert services.payout_mark_paid(payout=payout, bank_reference="R-1", actor=people.carl)
    with pytest.raises(ClaimStateError):
        services.payout_mark_paid(payout=payout, bank_reference="R-2", actor=people.carl)
    with pytest.raises(ClaimStateError):
        services.payout_mark_failed(payout=payout, reason="退票", actor=people.carl)


def test_bank_batch_has_full_account_numbers_and_is_audited(ready_claim, people):
    import io

    services.claim_approve(claim=ready_claim, actor=people.carl)
    batch, data = services.payout_batch_export(actor=people.carl)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[1][5] == "6222020200112233445"
    assert rows[1][6] == 2630  # a number (formatted 0.00), not text
    assert batch.count == 1 and batch.total_fen == 263000
    assert AuditLog.objects.filter(action="aid.payout_batch_export").count() == 1
    assert Payout.objects.get().status == Payout.Status.EXPORTED
    with pytest.raises(NotInScope):
        services.payout_batch_file(batch=batch, actor=people.alice)


THREADS = 50
ROUNDS = 20


def race(pk: int, approve, asker) -> tuple[list[int], list[BaseException]]:
    """THREADS threads released at once: half approve the claim (`approve(claim, i)`, returning
    its payout), half ask for its payout (as `asker`, a city approver)."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    payout_ids: list[int] = []

    def hit(i: int) -> None:
        try:
            barrier.wait()
            c = Claim.objects.get(pk=pk)
            if i % 2:
                try:
                    p = services.payout_create(claim=c, actor=asker)
                except ClaimStateError:  # not approved yet: nothing to pay
                    return
            else:
                p = approve(c, i)
            payout_ids.append(p.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=hit, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return payout_ids, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_approvals_make_one_payout(people, plans, rider):
    from waystation.accounts.models import Platform
    from waystation.aid.tests.conftest import attach_required, claim_data, report_claim

    enrolment = services.enrolment_self(
        member=rider, plan=plans["accident"], today=date(2026, 1, 5)
    )
    meituan = Platform.objects.get(code="meituan")
    approvers = [people.carl, people.admin]

    def approve(c, i):
        return services.claim_approve(claim=c, actor=approvers[i % 4 // 2])

    for round_ in range(ROUNDS):
        claim = report_claim(rider, claim_data(enrolment, asks={"hospital": {"days": 1}}))
        attach_required(claim)
        services.claim_platform_confirm(claim=claim, platform=meituan, working=True, actor=meituan)
        services.claim_review(claim=claim, actor=people.alice)
        payout_ids, errors = race(claim.pk, approve, people.carl)
        assert errors == [], f"round {round_}: {errors[:3]}"
        assert Payout.objects.filter(claim=claim).count() == 1, f"round {round_}"
        assert len(set(payout_ids)) == 1 and len(payout_ids) >= THREADS // 2
        claim.refresh_from_db()
        assert claim.status == Claim.Status.APPROVED


def test_each_payout_step_records_the_client_address(settings, as_user, people, ready_claim):
    from waystation.core.net import client_ip_as

    settings.TRUSTED_PROXY_COUNT = 1
    behind_proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    c = as_user(people.carl)
    c.post(f"/staff/aid/claims/{ready_claim.number}/approve/", {"confirm": "yes"}, **behind_proxy)
    payout = Payout.objects.get()
    c.post("/staff/aid/payouts/export/", {"payout": [str(payout.pk)]}, **behind_proxy)
    c.post(f"/staff/aid/payouts/{payout.pk}/failed/", {"reason": "户名不符"}, **behind_proxy)
    r = c.post(f"/staff/aid/payouts/{payout.pk}/reissue/", **behind_proxy)
    assert r.status_code == 302
    steps = ["aid.claim_approve", "aid.payout_failed", "aid.payout_reissue"]
    assert [a.ip for a in AuditLog.objects.filter(action__in=steps)] == ["203.0.113.9"] * 3
    services.payout_mark_failed(
        payout=exported(Payout.objects.get(status="pending"), people.carl),
        reason="退票",
        actor=people.carl,
    )
    with client_ip_as("203.0.113.9"):  # the one path that took no request, and recorded none
        services.payout_create(claim=ready_claim, actor=people.carl)
    assert AuditLog.objects.get(action="aid.payout_create").ip == "203.0.113.9"

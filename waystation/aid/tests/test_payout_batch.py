"""Bank batches of the payouts staff pick: full account numbers only in the audited file, a
payout in at most one batch, and a failed transfer re-issued into a new batch pays once."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from waystation.accounts.access import NotInScope
from waystation.aid import services
from waystation.aid.models import Claim, Payout, PayoutBatch
from waystation.aid.tests.conftest import claim_data, make_ready, report_claim
from waystation.privacy.models import AuditLog


@pytest.fixture
def two_payouts(ready_claim, other_rider, plans, people) -> tuple[Payout, Payout]:
    """¥2,630 to the 天宁 rider, ¥100 to the 钟楼 rider: both pending."""
    enrolment = services.enrolment_self(
        member=other_rider, plan=plans["accident"], today=date(2026, 1, 5)
    )
    other = report_claim(
        other_rider,
        claim_data(enrolment, asks={"hospital": {"days": 2}}, bank_card="6217000033334444"),
    )
    make_ready(other, people.charlie)
    return (
        services.claim_approve(claim=ready_claim, actor=people.carl),
        services.claim_approve(claim=other, actor=people.carl),
    )


def sheet(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1:]


def test_the_batch_holds_only_the_ticked_payouts(two_payouts, people, as_user):
    tianning, zhonglou = two_payouts
    r = as_user(people.carl).post("/staff/aid/payouts/export/", {"payout": [str(zhonglou.pk)]})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    rows = sheet(r.content)
    assert [(row[2], row[5], row[6]) for row in rows] == [
        (zhonglou.claim.number, "6217000033334444", 100)
    ]
    batch = PayoutBatch.objects.get()
    assert (batch.count, batch.total_fen) == (1, 10000)
    tianning.refresh_from_db()
    zhonglou.refresh_from_db()
    assert (tianning.status, tianning.batch_id) == ("pending", None)
    assert (zhonglou.status, zhonglou.batch_id) == ("exported", batch.pk)
    log = AuditLog.objects.get(action="aid.payout_batch_export")
    assert log.detail == {
        "count": 1,
        "total_fen": 10000,
        "payouts": [zhonglou.pk],
        "template": "generic",
    }


def test_a_payout_already_in_a_batch_is_refused_by_name(two_payouts, people):
    tianning, zhonglou = two_payouts
    first, _ = services.payout_batch_export(actor=people.carl, payouts=[tianning])
    with pytest.raises(ValidationError) as exc:
        services.payout_batch_export(actor=people.carl, payouts=[tianning, zhonglou])
    assert exc.value.messages == [
        f"不能导出：付款 #{tianning.pk} 已在批次 #{first.pk} 中（已导出，待银行回单）"
    ]
    assert PayoutBatch.objects.count() == 1
    assert Payout.objects.get(pk=zhonglou.pk).status == "pending"


def test_the_database_keeps_pending_payouts_out_of_batches(two_payouts, people):
    tianning, zhonglou = two_payouts
    batch, _ = services.payout_batch_export(actor=people.carl, payouts=[tianning])
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.filter(pk=zhonglou.pk).update(batch=batch)  # pending, yet in a batch
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.filter(pk=tianning.pk).update(batch=None)  # exported, yet in no batch


def test_exporting_with_nothing_ticked_says_so(two_payouts, people, as_user):
    r = as_user(people.carl).post("/staff/aid/payouts/export/", follow=True)
    assert "请勾选要导出的付款" in r.content.decode()
    assert PayoutBatch.objects.count() == 0


def test_district_staff_cannot_export_or_download_a_batch(two_payouts, people, as_user):
    batch, _ = services.payout_batch_export(actor=people.carl, payouts=[two_payouts[0]])
    alice = as_user(people.alice)
    assert (
        alice.post("/staff/aid/payouts/export/", {"payout": [two_payouts[1].pk]}).status_code == 404
    )
    assert alice.get(f"/staff/aid/payouts/batches/{batch.pk}.xlsx").status_code == 404
    with pytest.raises(NotInScope):
        services.payout_batch_export(actor=people.alice, payouts=[two_payouts[1]])
    assert PayoutBatch.objects.count() == 1


def test_a_failed_transfer_goes_out_again_in_a_new_batch_and_is_paid_once(two_payouts, people):
    payout = two_payouts[0]
    first, _ = services.payout_batch_export(actor=people.carl, payouts=[payout])
    services.payout_mark_failed(payout=payout, reason="户名不符", actor=people.carl)
    new = services.payout_reissue(payout=payout, actor=people.carl, bank_card="6217000011112222")
    assert services.payout_reissue(payout=payout, actor=people.carl).pk == new.pk
    second, data = services.payout_batch_export(actor=people.carl, payouts=[new])
    assert second.pk != first.pk
    assert [(row[1], row[5]) for row in sheet(data)] == [(new.pk, "6217000011112222")]
    with pytest.raises(ValidationError, match=f"付款 #{payout.pk}"):
        services.payout_batch_export(actor=people.carl, payouts=[payout])  # failed: not again
    services.payout_mark_paid(payout=new, bank_reference="ICBC-77", actor=people.carl)
    claim = Claim.objects.get(pk=payout.claim_id)
    assert claim.status == "paid"
    assert list(claim.payouts.values_list("status", flat=True).order_by("id")) == ["failed", "paid"]


def test_payout_list_filters_by_plan_and_district(two_payouts, people, as_user):
    tianning, zhonglou = two_payouts
    carl = as_user(people.carl)
    html = carl.get("/staff/aid/payouts/?district=zhonglou").content.decode()
    assert zhonglou.claim.number in html and tianning.claim.number not in html
    html = carl.get("/staff/aid/payouts/?plan=accident-2026&status=pending").content.decode()
    assert zhonglou.claim.number in html and tianning.claim.number in html
    assert f'name="payout" value="{tianning.pk}"' in html
    html = carl.get("/staff/aid/payouts/?plan=illness-2026").content.decode()
    assert "没有付款" in html

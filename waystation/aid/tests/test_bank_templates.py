"""The bank batch file follows the column template staff choose (kept with the batch), amounts
as numbers with two decimals; a payout is marked paid or failed only after its file went out."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from waystation.aid import bank_templates, services
from waystation.aid.models import Payout, PayoutBatch
from waystation.aid.services import ClaimStateError
from waystation.privacy.models import AuditLog


@pytest.fixture
def payout(ready_claim, people) -> Payout:
    return services.claim_approve(claim=ready_claim, actor=people.carl)


def rows(data: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(data)).active
    return [[c for c in r] for r in ws.iter_rows()]


def test_icbc_layout_has_its_columns_in_order_and_a_numeric_amount(payout, people, as_user):
    r = as_user(people.carl).post(
        "/staff/aid/payouts/export/", {"payout": [str(payout.pk)], "template": "icbc"}
    )
    assert r.status_code == 200
    header, row = rows(r.content)
    assert [c.value for c in header] == [
        "付款账号开户行",
        "付款账号",
        "付款账号名称",
        "收款账号开户行",
        "省份名",
        "城市名",
        "收款账号",
        "收款账号名称",
        "金额",
        "汇款用途",
        "备注",
    ]
    claim = payout.claim
    by_header = {h.value: c for h, c in zip(header, row, strict=True)}
    assert by_header["收款账号"].value == "6222020200112233445"
    assert by_header["收款账号"].data_type == "s"
    amount = by_header["金额"]
    assert (amount.data_type, float(amount.value), amount.number_format) == ("n", 2630.0, "0.00")
    assert by_header["汇款用途"].value == f"互助保障给付 {claim.number}"
    assert PayoutBatch.objects.get().bank_template == "icbc"


def test_a_later_download_keeps_the_batchs_template(payout, people, as_user):
    batch, _ = services.payout_batch_export(actor=people.carl, payouts=[payout], template="abc")
    r = as_user(people.carl).get(f"/staff/aid/payouts/batches/{batch.pk}.xlsx")
    header, _row = rows(r.content)
    assert [c.value for c in header] == ["序号", "账号", "户名", "金额", "备注"]
    assert AuditLog.objects.filter(action="aid.payout_batch_export").last().detail["template"] == (
        "abc"
    )


def test_an_unknown_template_is_refused_and_nothing_is_exported(payout, people):
    with pytest.raises(ValidationError, match="请选择银行文件格式"):
        services.payout_batch_export(actor=people.carl, payouts=[payout], template="hsbc")
    payout.refresh_from_db()
    assert payout.status == "pending" and not PayoutBatch.objects.exists()


def test_every_template_says_where_its_layout_comes_from():
    assert {t.code for t in bank_templates.TEMPLATES} == {
        "generic",
        "icbc",
        "ccb",
        "abc",
        "boc",
        "bocom",
    }
    for t in bank_templates.TEMPLATES:
        assert str(t.source) and any(f == "amount" for _h, f in t.columns)
        assert any(f == "account_no" for _h, f in t.columns)
        assert {f for _h, f in t.columns} <= set(bank_templates.FIELDS)


def test_amounts_keep_two_decimals():
    assert str(bank_templates.amount_cell(263005)) == "2630.05"
    assert str(bank_templates.amount_cell(10000)) == "100.00"


def test_paid_or_failed_only_after_the_file_went_out(payout, people, as_user):
    with pytest.raises(ClaimStateError, match="尚未导出银行文件"):
        services.payout_mark_paid(payout=payout, bank_reference="R-1", actor=people.carl)
    with pytest.raises(ClaimStateError, match="尚未导出银行文件"):
        services.payout_mark_failed(payout=payout, reason="户名不符", actor=people.carl)
    html = as_user(people.carl).get("/staff/aid/payouts/").content.decode()
    row = html[html.index(f'id="payout-{payout.pk}"') :].split("</tr>")[0]
    assert "/paid/" not in row and "/failed/" not in row
    assert "导出银行文件后可标记已支付或失败" in row
    services.payout_batch_export(actor=people.carl, payouts=[payout])
    html = as_user(people.carl).get("/staff/aid/payouts/").content.decode()
    row = html[html.index(f'id="payout-{payout.pk}"') :].split("</tr>")[0]
    assert "/paid/" in row and "/failed/" in row
    assert '<td class="amount">2,630.00</td>' in row

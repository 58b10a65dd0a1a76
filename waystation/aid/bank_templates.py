"""The column layouts of the bank batch file, as data: staff choose one per batch (the bank
their city federation pays from), and the export writes its columns in its order.

A template names its bank, its columns as (header, field) and where the layout comes from. The
fields a payout row can give are FIELDS below; a column the union fills in the bank's own tool
(the paying account, the payee's province) is "blank". Amounts are numbers with two decimals
(a cell formatted 0.00, never text): the banks' tools refuse or re-round amounts kept as text or
with a third decimal.

Sources (looked up 2026-12; verify against the template your branch hands out, which changes
between versions of each bank's corporate online banking — `verified` says whether the columns
were checked against a published field guide, not only the bank's description of the service):
- 工商银行: the field guide of the 企业网银 "批量支付" template (企业财务室, 批量支付.xls):
  付款账号开户行, 付款账号, 付款账号名称, 收款账号开户行, 省份名, 城市名, 收款账号, 收款账号名称,
  金额 (at most two decimals), 汇款用途, 备注.
- 建设银行: 网上银行 批量转账客户端工具 (行内/跨行批量转账文件); the guide found names the files,
  not the columns: the common payee fields in its order.
- 农业银行: 企业网银 批量代发: the bank's description lists 姓名, 账号, 金额.
- 中国银行: 批量文件制作工具 / 快捷代发 (realtimepayoffbatchdatatemplate): payee account, name,
  amount, purpose as described; the tool converts the sheet to its own text file.
- 交通银行: 企业网上银行 转账汇款 → 批量付款: 收款人账号, 户名, 金额, plus the payee bank.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

# what one payout row can give a column
FIELDS = (
    "seq",  # 1, 2, 3 … within the batch
    "account_no",  # the payee's full card number (the only place it appears)
    "account_name",
    "bank_name",  # the payee's bank as the member typed it
    "amount",  # yuan, a number with two decimals
    "purpose",  # 互助保障给付 HZ2026000123
    "claim_number",
    "payout_id",
    "blank",
)


@dataclass(frozen=True)
class BankTemplate:
    code: str
    name: "StrOrPromise"
    columns: tuple[tuple[str, str], ...]
    source: "StrOrPromise"
    verified: bool = False


TEMPLATES: tuple[BankTemplate, ...] = (
    BankTemplate(
        "generic",
        _("通用格式（本系统）"),
        (
            ("序号", "seq"),
            ("付款编号", "payout_id"),
            ("申请编号", "claim_number"),
            ("收款人", "account_name"),
            ("开户银行", "bank_name"),
            ("银行账号", "account_no"),
            ("金额（元）", "amount"),
            ("用途", "purpose"),
        ),
        _("本系统的核对格式：含付款编号和申请编号，便于银行回单对账"),
        verified=True,
    ),
    BankTemplate(
        "icbc",
        _("中国工商银行 · 企业网银批量支付"),
        (
            ("付款账号开户行", "blank"),
            ("付款账号", "blank"),
            ("付款账号名称", "blank"),
            ("收款账号开户行", "bank_name"),
            ("省份名", "blank"),
            ("城市名", "blank"),
            ("收款账号", "account_no"),
            ("收款账号名称", "account_name"),
            ("金额", "amount"),
            ("汇款用途", "purpose"),
            ("备注", "claim_number"),
        ),
        _(
            "依据工行企业网银“批量支付”模板的填写说明；付款账号和收款行所在省市请在工行批量工具中补齐"
        ),
        verified=True,
    ),
    BankTemplate(
        "ccb",
        _("中国建设银行 · 网银批量转账"),
        (
            ("序号", "seq"),
            ("收款账号", "account_no"),
            ("收款户名", "account_name"),
            ("收款行名称", "bank_name"),
            ("金额", "amount"),
            ("用途", "purpose"),
            ("备注", "claim_number"),
        ),
        _("按建行批量转账的常用收款字段排列，未找到公开的列说明：导入前请与本行模板核对"),
    ),
    BankTemplate(
        "abc",
        _("中国农业银行 · 企业网银批量代发"),
        (
            ("序号", "seq"),
            ("账号", "account_no"),
            ("户名", "account_name"),
            ("金额", "amount"),
            ("备注", "purpose"),
        ),
        _("依据农行对批量代发文件的说明（姓名、账号、金额）：导入前请与本行模板核对"),
    ),
    BankTemplate(
        "boc",
        _("中国银行 · 批量文件制作工具"),
        (
            ("收款人账号", "account_no"),
            ("收款人名称", "account_name"),
            ("收款人开户行", "bank_name"),
            ("金额", "amount"),
            ("用途", "purpose"),
        ),
        _("依据中行批量文件制作工具的说明（收款人账号、名称、金额、用途）：导入前请与本行模板核对"),
    ),
    BankTemplate(
        "bocom",
        _("交通银行 · 企业网银批量付款"),
        (
            ("收款人账号", "account_no"),
            ("收款人户名", "account_name"),
            ("收款人开户行", "bank_name"),
            ("金额", "amount"),
            ("附言", "purpose"),
        ),
        _("依据交行批量付款的说明（收款人账号、户名、金额）：导入前请与本行模板核对"),
    ),
)
BY_CODE = {t.code: t for t in TEMPLATES}
DEFAULT = "generic"


def template(code: str) -> BankTemplate | None:
    return BY_CODE.get(code)


def amount_cell(fen: int) -> Decimal:
    """Fen as yuan with exactly two decimals (Decimal, never float)."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def render(t: BankTemplate, rows: Iterable[dict[str, Any]], *, title: str) -> bytes:
    """The batch file in template `t`: one header row, one row per payout (a dict by FIELDS);
    amounts as numbers formatted 0.00, the row and payout numbers as numbers, every other value
    as text (a card number stays digits, never a number in scientific notation)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append([h for h, _f in t.columns])
    for row in rows:
        cells = []
        for _h, field in t.columns:
            if field == "amount":
                c = WriteOnlyCell(ws, value=amount_cell(row["amount_fen"]))
                c.number_format = "0.00"
            elif field in ("seq", "payout_id"):
                c = WriteOnlyCell(ws, value=row[field])
            else:
                c = WriteOnlyCell(ws, value="" if field == "blank" else str(row[field]))
                c.data_type = "s"  # text exactly as given, never a formula or a number
            cells.append(c)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

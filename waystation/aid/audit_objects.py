"""How the audit log names claims, payouts, enrolments, condolences and plans
(core/audit_objects.py): a claim and its payout by the 案件号, the others by the member's
会员号 or the plan's code."""

from django.utils.translation import gettext_lazy as _

from waystation.core import audit_objects

from .access import (
    claims_visible_to,
    condolences_visible_to,
    enrolments_visible_to,
    payout_batches_visible_to,
    payouts_visible_to,
    plans_visible_to,
)
from .models import Claim, Condolence, Enrolment, Payout, PayoutBatch, Plan

CLAIM = "aid:staff_claim"
MEMBER = "members:staff_detail"

audit_objects.register(
    "aid.claim", Claim, name=_("互助申请"), number_label=_("案件号"), number="number",
    visible=claims_visible_to, url_name=CLAIM,
)  # fmt: skip
audit_objects.register(
    "aid.payout", Payout, name=_("付款"), number_label=_("案件号"), number="claim__number",
    visible=payouts_visible_to, url_name=CLAIM,
)  # fmt: skip
audit_objects.register(
    "aid.payoutbatch", PayoutBatch, name=_("银行代付批次"), number_label=_("批次号"),
    number="pk", visible=payout_batches_visible_to,
)  # fmt: skip
audit_objects.register(
    "aid.enrolment", Enrolment, name=_("参保"), number_label=_("会员号"),
    number="member__member_number", visible=enrolments_visible_to, url_name=MEMBER,
)  # fmt: skip
audit_objects.register(
    "aid.condolence", Condolence, name=_("慰问"), number_label=_("会员号"),
    number="member__member_number", visible=condolences_visible_to, url_name=MEMBER,
)  # fmt: skip
audit_objects.register(
    "aid.plan", Plan, name=_("互助保障计划"), number_label=_("计划代码"), number="code",
    visible=plans_visible_to, url_name="aid:plan_edit",
)  # fmt: skip

"""Writes for mutual aid, each audited, one module per topic:

- plans.py: plan years (create, edit, copy to a new year, the example plans)
- enrolments.py: self-enrolment and gifts to many members (a background job)
- claims.py: report, platform confirmation, assessment, review, return, reject, resubmit
- approval.py: city approval and the second approver of a large override
- payouts.py: the exactly-once core (one live payout per claim; its invariant is stated there)
- bank.py: the bank batch file, transfers marked paid or failed
- documents.py: claim documents checked by content
- condolences.py: condolence visits
- common.py: the claim-state error, the row lock, a workflow step checked against its role

The claim's state machine is aid/workflow.py (no ORM). Callers use `services.<name>` from here.
"""

from .approval import (
    MAX_FEN,
    OVERRIDE_REASON_MIN_CHARS,
    claim_approve,
    claim_approve_check,
    claim_override_confirm,
    claim_override_confirm_check,
    claim_override_decline,
)
from .bank import payout_batch_export, payout_batch_file, payout_mark_failed, payout_mark_paid
from .claims import (
    ClaimReport,
    claim_assess,
    claim_platform_confirm,
    claim_platform_correct,
    claim_reject,
    claim_report,
    claim_resubmit,
    claim_return,
    claim_review,
    clean_asks,
    member_aid_sms_set,
)
from .common import ClaimStateError, fen_from_yuan
from .condolences import condolence_record
from .documents import MAX_UPLOAD_BYTES, claim_document_add, document_path
from .enrolments import (
    GIFT_CHUNK,
    Gift,
    coverage_on,
    enrolment_gift_bulk,
    enrolment_self,
    gift_batch_member_ids,
    gift_batch_run,
    gift_batch_start,
)
from .payouts import live_payout, payout_create, payout_reissue
from .plans import (
    FIXED_ONCE_ENROLLED,
    PLAN_FIELDS,
    PlanTerms,
    plan_copy,
    plan_create,
    plan_update,
    plans_ensure_examples,
)

__all__ = [
    "FIXED_ONCE_ENROLLED",
    "GIFT_CHUNK",
    "MAX_FEN",
    "MAX_UPLOAD_BYTES",
    "OVERRIDE_REASON_MIN_CHARS",
    "PLAN_FIELDS",
    "ClaimReport",
    "ClaimStateError",
    "Gift",
    "PlanTerms",
    "claim_approve",
    "claim_approve_check",
    "claim_assess",
    "claim_document_add",
    "claim_override_confirm",
    "claim_override_confirm_check",
    "claim_override_decline",
    "claim_platform_confirm",
    "claim_platform_correct",
    "claim_reject",
    "claim_report",
    "claim_resubmit",
    "claim_return",
    "claim_review",
    "clean_asks",
    "condolence_record",
    "coverage_on",
    "document_path",
    "enrolment_gift_bulk",
    "enrolment_self",
    "fen_from_yuan",
    "gift_batch_member_ids",
    "gift_batch_run",
    "gift_batch_start",
    "live_payout",
    "member_aid_sms_set",
    "payout_batch_export",
    "payout_batch_file",
    "payout_create",
    "payout_mark_failed",
    "payout_mark_paid",
    "payout_reissue",
    "plan_copy",
    "plan_create",
    "plan_update",
    "plans_ensure_examples",
]

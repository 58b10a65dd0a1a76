"""Mutual aid (互助保障): plans, enrolments (person-times), claims, payouts, condolence visits.

Every row belongs to a city (the tenant): a city federation sets its own plans, and what hangs
from a plan carries the plan's city (enrolments, their claims, the claims' documents and payouts,
the bank batches of those payouts); a condolence visit carries its member's city. `save()` fills a
missing city from the parent row, so `objects.create(...)` needs none; bulk paths set it.

The models by topic: `plans` (Plan, GiftBatch, Enrolment), `claims` (Claim, ClaimDocument,
REQUIRED_DOCUMENTS), `payouts` (PayoutBatch, Payout, total_paid_fen), `condolences`.
"""

from .claims import REQUIRED_DOCUMENTS, Claim, ClaimDocument
from .condolences import Condolence
from .payouts import Payout, PayoutBatch, total_paid_fen
from .plans import Enrolment, GiftBatch, Plan

__all__ = [
    "REQUIRED_DOCUMENTS",
    "Claim",
    "ClaimDocument",
    "Condolence",
    "Enrolment",
    "GiftBatch",
    "Payout",
    "PayoutBatch",
    "Plan",
    "total_paid_fen",
]

"""A text message to the member at each step of their claim, through the site's SMS backend
(members/sms.py), in the words of the step bar (aid/progress.py).

Sent after the step's transaction commits (a refused or rolled-back step sends nothing), never
to a member who turned it off (`Member.aid_sms_opt_out`, on the page 我的互助保障). A provider
refusing is logged and does not undo the step: the page shows the same words.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from waystation.members.sms import SmsSendError, get_backend
from waystation.privacy.masking import mask_phone

from .models import Claim
from .progress import live_or_last_payout, member_words

log = logging.getLogger(__name__)


def claim_text(claim: Claim, sign: str) -> str:
    words = member_words(claim, live_or_last_payout(claim))
    return _("【%(sign)s】您的互助保障申请 %(number)s：%(words)s。详情请在“我的互助保障”查看。") % {
        "sign": sign,
        "number": claim.number,
        "words": words,
    }


def claim_notify(pk: int) -> None:
    """Tell the member of claim `pk` where it now stands, once the current transaction commits
    (the claim is read then, so the text says what was committed)."""

    def send() -> None:
        c = Claim.objects.select_related("member", "city", "platform").get(pk=pk)
        if c.member.aid_sms_opt_out:
            return
        sign = c.city.sms_signature
        phone = c.member.phone
        try:
            get_backend().send(phone, claim_text(c, sign), sign=sign)
        except SmsSendError:
            log.warning("claim SMS to %s refused by the provider", mask_phone(phone))

    transaction.on_commit(send)

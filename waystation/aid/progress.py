"""Where a claim stands, as the shared step bar (core/steps.py) draws it:

    报案 → 平台确认 → 区级审核 → 市级审批 → 打款

Each step has its date and its state in plain words ("银行打款中", never the payout's internal
"已导出，待银行回单"). The same words go to the member by SMS at each step (aid/notify.py), so
the page and the text message never disagree.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.core.steps import State, Step

from . import workflow as flow
from .benefits import yuan
from .models import Claim, Payout

# what a member reads of a payout, by its status
PAYOUT_WORDS = {
    Payout.Status.PENDING: gettext_lazy("审批通过，等待安排打款"),
    Payout.Status.EXPORTED: gettext_lazy("银行打款中"),
    Payout.Status.PAID: gettext_lazy("已打款"),
    Payout.Status.FAILED: gettext_lazy("打款未成功，工会将核对收款账户后重新打款"),
}


def live_or_last_payout(claim: Claim) -> Payout | None:
    """The payout that is not failed, else the newest failed one (what the member is told)."""
    payouts = sorted(claim.payouts.all(), key=lambda p: (p.status != "failed", p.created_at))
    return payouts[-1] if payouts else None


def _platform(claim: Claim) -> Step:
    label = _("平台确认")
    ps = claim.platform_status
    if ps == Claim.PlatformStatus.NOT_NEEDED:
        return Step(label, State.DONE, None, _("无需平台确认"))
    name = claim.platform.name if claim.platform else ""
    if ps == Claim.PlatformStatus.PENDING:
        if claim.status == flow.Status.REJECTED:
            return Step(label, State.TODO)
        return Step(label, State.CURRENT, None, _("等待%(p)s确认事故时是否在岗") % {"p": name})
    if ps == Claim.PlatformStatus.CONFIRMED:
        return Step(
            label, State.DONE, claim.platform_confirmed_at, _("%(p)s确认在岗") % {"p": name}
        )
    return Step(
        label, State.FAILED, claim.platform_confirmed_at, _("%(p)s回复事故时不在岗") % {"p": name}
    )


def claim_steps(
    claim: Claim, payout: Payout | None = None, missing: list[str] | None = None
) -> list[Step]:
    """The five steps of `claim`; `payout` is live_or_last_payout(claim), `missing` its missing
    documents (asked for by the caller, who shows them too)."""
    S = flow.Status
    status = claim.status
    platform = _platform(claim)
    report = Step(
        _("报案"), State.DONE, claim.submitted_at, _("已收到报案 %(n)s") % {"n": claim.number}
    )
    district = Step(_("区级审核"))
    city = Step(_("市级审批"))
    pay = Step(_("打款"))
    waiting_platform = platform.state == State.CURRENT
    # a claim refused after district review was refused by the city
    refused_at_city = claim.reviewed_at is not None
    if status in (S.SUBMITTED, S.RETURNED):
        if status == S.RETURNED:
            note = _("退回补充材料：%(n)s") % {"n": claim.status_note}
            district = Step(district.label, State.CURRENT, claim.updated_at, note)
        elif missing:
            note = _("请补充材料：%(m)s") % {"m": "、".join(missing)}
            district = Step(district.label, State.CURRENT, None, note)
        elif not waiting_platform and platform.state != State.FAILED:
            district = Step(district.label, State.CURRENT, None, _("区工会审核中"))
    elif status == S.REJECTED:
        note = _("未通过：%(r)s") % {"r": claim.status_note}
        if refused_at_city:
            district = Step(district.label, State.DONE, claim.reviewed_at)
            city = Step(city.label, State.FAILED, claim.updated_at, note)
        else:
            district = Step(district.label, State.FAILED, claim.updated_at, note)
    else:
        district = Step(district.label, State.DONE, claim.reviewed_at, _("区工会审核通过"))
        if status == S.DISTRICT_APPROVED:
            city = Step(city.label, State.CURRENT, None, _("市工会审批中"))
        elif status == S.OVERRIDE_PENDING:
            city = Step(city.label, State.CURRENT, None, _("市工会复核给付金额中"))
        else:
            when = claim.override_confirmed_at or claim.approved_at
            city = Step(
                city.label,
                State.DONE,
                when,
                _("审批通过，给付 %(a)s") % {"a": yuan(claim.approved_fen or 0)},
            )
            pay = _pay_step(payout)
    return [report, platform, district, city, pay]


def _pay_step(payout: Payout | None) -> Step:
    label = _("打款")
    if payout is None:
        return Step(label, State.CURRENT, None, str(PAYOUT_WORDS[Payout.Status.PENDING]))
    words = str(PAYOUT_WORDS[Payout.Status(payout.status)])
    if payout.status == Payout.Status.PAID:
        return Step(label, State.DONE, payout.paid_at, words)
    if payout.status == Payout.Status.FAILED:
        return Step(label, State.FAILED, None, words)
    return Step(label, State.CURRENT, None, words)


def member_words(claim: Claim, payout: Payout | None = None) -> str:
    """One line of where the claim stands, for the member's list and the SMS."""
    steps = claim_steps(claim, payout)
    at = next((s for s in steps if s.state in (State.CURRENT, State.FAILED)), None)
    if at is None:  # every step done: paid
        return steps[-1].note
    return at.note or at.label

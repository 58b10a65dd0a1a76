"""A claim's state machine, without the ORM: its statuses, the steps that move it, who may take
each step, and a drawing of it for staff documents (`mermaid()`).

    submitted ──review──▶ district_approved ──approve──▶ approved ──paid──▶ paid
                              │            ▲                   ▲
                     override_request  override_decline        │
                              ▼            │                   │
                          override_pending ─────override_confirm

A member reports a claim (submitted); the district reviewer passes it to the city, the city
approver approves it, and marking its payout paid closes it. From any open status it may be
returned (the member adds documents and resubmits) or rejected; once the claim waits for the
city (district_approved, override_pending) only a city approver may do that. An override above
the second-approver threshold waits in override_pending for another city approver.

This module imports no Django: the services (`aid/services/`) ask it whether a step may start
from a claim's status and who may take it, lock the row, check the role with the access rules
and write. `Claim.Status` takes its values and labels from `Status` and `LABELS` here.
"""

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DISTRICT_APPROVED = "district_approved"
    # a city approver set an amount above the second-approver threshold: another city approver
    # confirms it before any payout exists
    OVERRIDE_PENDING = "override_pending"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


LABELS: dict[Status, str] = {
    Status.SUBMITTED: "待区级审核",
    Status.RETURNED: "退回补充材料",
    Status.DISTRICT_APPROVED: "待市级审批",
    Status.OVERRIDE_PENDING: "调整金额待复核",
    Status.APPROVED: "已批准，待支付",
    Status.PAID: "已支付",
    Status.REJECTED: "未通过",
}


class Step(StrEnum):
    REVIEW = "review"
    RETURN = "return"
    REJECT = "reject"
    RESUBMIT = "resubmit"
    APPROVE = "approve"
    OVERRIDE_REQUEST = "override_request"
    OVERRIDE_CONFIRM = "override_confirm"
    OVERRIDE_DECLINE = "override_decline"
    PAID = "paid"


STEP_NAMES: dict[Step, str] = {
    Step.REVIEW: "区级审核通过",
    Step.RETURN: "退回补充材料",
    Step.REJECT: "不予通过",
    Step.RESUBMIT: "重新提交",
    Step.APPROVE: "市级审批通过",
    Step.OVERRIDE_REQUEST: "提出调整金额待复核",
    Step.OVERRIDE_CONFIRM: "复核确认调整金额",
    Step.OVERRIDE_DECLINE: "退回调整金额",
    Step.PAID: "标记已支付",
}


class Role(StrEnum):
    """Who may take a step. A capability, not a job title: a city approver is also a reviewer.
    The services map each to an access rule (`aid/access.py`); the claimant is the member
    whose claim it is."""

    CLAIMANT = "claimant"
    REVIEWER = "reviewer"
    CITY_APPROVER = "city_approver"


ROLE_NAMES: dict[Role, str] = {
    Role.CLAIMANT: "申请人本人",
    Role.REVIEWER: "工会审核人员",
    Role.CITY_APPROVER: "市级审批人",
}


@dataclass(frozen=True)
class Transition:
    step: Step
    source: Status
    target: Status
    role: Role
    # four eyes: not the city approver who requested the override (claim.approved_by)
    not_by_requester: bool = False


S, R = Status, Role
# the claim waits for the city: only a city approver returns or rejects it from here
CITY_STATES = frozenset({S.DISTRICT_APPROVED, S.OVERRIDE_PENDING})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Step.REVIEW, S.SUBMITTED, S.DISTRICT_APPROVED, R.REVIEWER),
    Transition(Step.RETURN, S.SUBMITTED, S.RETURNED, R.REVIEWER),
    Transition(Step.RETURN, S.DISTRICT_APPROVED, S.RETURNED, R.CITY_APPROVER),
    Transition(Step.RETURN, S.OVERRIDE_PENDING, S.RETURNED, R.CITY_APPROVER),
    Transition(Step.REJECT, S.SUBMITTED, S.REJECTED, R.REVIEWER),
    Transition(Step.REJECT, S.RETURNED, S.REJECTED, R.REVIEWER),
    Transition(Step.REJECT, S.DISTRICT_APPROVED, S.REJECTED, R.CITY_APPROVER),
    Transition(Step.REJECT, S.OVERRIDE_PENDING, S.REJECTED, R.CITY_APPROVER),
    Transition(Step.RESUBMIT, S.RETURNED, S.SUBMITTED, R.CLAIMANT),
    Transition(Step.APPROVE, S.DISTRICT_APPROVED, S.APPROVED, R.CITY_APPROVER),
    Transition(Step.OVERRIDE_REQUEST, S.DISTRICT_APPROVED, S.OVERRIDE_PENDING, R.CITY_APPROVER),
    Transition(
        Step.OVERRIDE_CONFIRM,
        S.OVERRIDE_PENDING,
        S.APPROVED,
        R.CITY_APPROVER,
        not_by_requester=True,
    ),
    Transition(Step.OVERRIDE_DECLINE, S.OVERRIDE_PENDING, S.DISTRICT_APPROVED, R.CITY_APPROVER),
    Transition(Step.PAID, S.APPROVED, S.PAID, R.CITY_APPROVER),
)
_BY_SOURCE = {(t.step, t.source): t for t in TRANSITIONS}

# where a claim has its payout: approving again answers with that payout
HAS_PAYOUT = frozenset({S.APPROVED, S.PAID})
# still gathering facts: the member adds documents, the platform confirms on-duty status
GATHERING = frozenset({S.SUBMITTED, S.RETURNED, S.DISTRICT_APPROVED})
# the reviewer may still set the assessed figures
ASSESSABLE = frozenset({S.SUBMITTED, S.DISTRICT_APPROVED})


def transition(status: str, step: str) -> Transition | None:
    """The transition that `step` takes from `status`, or None if the step cannot start there."""
    try:
        return _BY_SOURCE.get((Step(step), Status(status)))
    except ValueError:  # not a step or status of this machine
        return None


def refusal(status: str, step: str) -> str:
    """Why a step cannot start from a status, in the words staff see."""
    return f"当前状态“{LABELS[Status(status)]}”不能执行“{STEP_NAMES[Step(step)]}”"


def roles_of(step: str) -> frozenset[Role]:
    """Everyone who may take the step from some status (who may try it at all)."""
    return frozenset(t.role for t in TRANSITIONS if t.step == step)


def mermaid() -> str:
    """The state machine as a Mermaid state diagram (https://mermaid.js.org), one line per
    transition: `source --> target : step · 步骤名（谁）`. Paste it into staff documents."""
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{LABELS[s]}" as {s.value}' for s in Status]
    lines.append(f"    [*] --> {S.SUBMITTED.value} : 会员报案")
    for t in TRANSITIONS:
        who = ROLE_NAMES[t.role] + ("，非提出人" if t.not_by_requester else "")
        lines.append(
            f"    {t.source.value} --> {t.target.value} : {t.step.value} · "
            f"{STEP_NAMES[t.step]}（{who}）"
        )
    lines += [f"    {s.value} --> [*]" for s in (S.PAID, S.REJECTED)]
    return "\n".join(lines) + "\n"

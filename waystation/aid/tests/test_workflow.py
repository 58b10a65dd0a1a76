"""The claim state machine on its own (aid/workflow.py): every step from every status, who takes
it, and its drawing. No database, no Django."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from waystation.aid import workflow

STATUSES = [
    "submitted",
    "returned",
    "district_approved",
    "override_pending",
    "approved",
    "paid",
    "rejected",
]
STEPS = [
    "review",
    "return",
    "reject",
    "resubmit",
    "approve",
    "override_request",
    "override_confirm",
    "override_decline",
    "paid",
]
# (step, from) → (to, who)
ALLOWED = {
    ("review", "submitted"): ("district_approved", "reviewer"),
    ("return", "submitted"): ("returned", "reviewer"),
    ("return", "district_approved"): ("returned", "city_approver"),
    ("return", "override_pending"): ("returned", "city_approver"),
    ("reject", "submitted"): ("rejected", "reviewer"),
    ("reject", "returned"): ("rejected", "reviewer"),
    ("reject", "district_approved"): ("rejected", "city_approver"),
    ("reject", "override_pending"): ("rejected", "city_approver"),
    ("resubmit", "returned"): ("submitted", "claimant"),
    ("approve", "district_approved"): ("approved", "city_approver"),
    ("override_request", "district_approved"): ("override_pending", "city_approver"),
    ("override_confirm", "override_pending"): ("approved", "city_approver"),
    ("override_decline", "override_pending"): ("district_approved", "city_approver"),
    ("paid", "approved"): ("paid", "city_approver"),
}
REFUSED = [(step, status) for step in STEPS for status in STATUSES if (step, status) not in ALLOWED]


def test_the_machine_has_exactly_these_statuses_and_steps():
    assert [s.value for s in workflow.Status] == STATUSES
    assert [s.value for s in workflow.Step] == STEPS
    assert len(REFUSED) == 7 * 9 - 14


@pytest.mark.parametrize(("step", "source"), sorted(ALLOWED))
def test_allowed_step_leads_to_its_status_taken_by_its_role(step, source):
    found = workflow.transition(source, step)
    assert found is not None
    assert (found.target.value, found.role.value) == ALLOWED[(step, source)]


@pytest.mark.parametrize(("step", "source"), REFUSED)
def test_refused_step_has_no_transition(step, source):
    assert workflow.transition(source, step) is None


def test_refusal_names_the_status_and_the_step_as_staff_see_them():
    assert workflow.refusal("paid", "approve") == "当前状态“已支付”不能执行“市级审批通过”"
    assert workflow.refusal("returned", "review") == "当前状态“退回补充材料”不能执行“区级审核通过”"


def test_unknown_steps_and_statuses_have_no_transition():
    assert workflow.transition("submitted", "teleport") is None
    assert workflow.transition("lost", "review") is None


def test_paid_and_rejected_are_final():
    assert [t for t in workflow.TRANSITIONS if t.source in ("paid", "rejected")] == []


def test_only_a_city_approver_returns_or_rejects_a_claim_that_waits_for_the_city():
    for t in workflow.TRANSITIONS:
        if t.step in ("return", "reject"):
            assert (t.role == "city_approver") == (t.source in workflow.CITY_STATES), t
    assert {"district_approved", "override_pending"} == workflow.CITY_STATES


def test_only_the_override_confirmation_needs_another_approver_than_the_requester():
    assert [t.step for t in workflow.TRANSITIONS if t.not_by_requester] == ["override_confirm"]


def test_roles_of_a_step_are_everyone_who_may_take_it_from_some_status():
    assert workflow.roles_of("return") == {"reviewer", "city_approver"}
    assert workflow.roles_of("resubmit") == {"claimant"}
    assert workflow.roles_of("approve") == {"city_approver"}


def test_the_drawing_lists_exactly_the_transitions():
    text = workflow.mermaid()
    assert text.startswith("stateDiagram-v2\n")
    drawn = re.findall(r"^    (\w+) --> (\w+) : (\w+) · ", text, flags=re.M)
    assert len(drawn) == len(set(drawn)) == len(ALLOWED)
    assert {(step, source): target for source, target, step in drawn} == {
        key: target for key, (target, _who) in ALLOWED.items()
    }
    assert (
        "    override_pending --> approved : override_confirm · 复核确认调整金额"
        "（市级审批人，非提出人）\n" in text
    )
    assert '    state "待区级审核" as submitted\n' in text
    assert "    [*] --> submitted : 会员报案\n" in text
    assert re.findall(r"^    (\w+) --> \[\*\]$", text, flags=re.M) == ["paid", "rejected"]


def test_the_workflow_imports_no_django():
    code = (
        "import sys, waystation.aid.workflow as w; w.mermaid(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[3],
    ).stdout
    assert out == "[]\n"

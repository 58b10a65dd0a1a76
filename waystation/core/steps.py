"""The step bar: where a case stands on its way (报案 → 平台确认 → 区级审核 → 市级审批 → 打款),
one shared include (`core/_steps.html`) for every module that follows a case through steps.

An app builds a list of `Step` from its own rows (aid: `aid/progress.py`) and renders
`{% include "core/_steps.html" with steps=steps %}`. The bar is an ordered list a screen reader
reads in order; each step says its state in words as well as by colour, so nothing is told by
colour alone.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class State(StrEnum):
    DONE = "done"
    CURRENT = "current"
    TODO = "todo"
    FAILED = "failed"


# what a screen reader hears before a step's label (the bar shows it by its mark)
STATE_WORDS = {
    State.DONE: _("已完成"),
    State.CURRENT: _("进行中"),
    State.TODO: _("未开始"),
    State.FAILED: _("未通过"),
}


@dataclass(frozen=True)
class Step:
    """One step: its label, its state, when it happened (done or failed) or started (current),
    and a note in plain words ("银行打款中", "请补充：诊断证明")."""

    label: str
    state: State = State.TODO
    date: date | datetime | None = None
    note: str = ""

    @property
    def state_words(self) -> str:
        return str(STATE_WORDS[self.state])


def current_of(steps: list[Step]) -> Step | None:
    """The step in progress or failed (where the case stands), None when every step is done."""
    return next((s for s in steps if s.state in (State.CURRENT, State.FAILED)), None)

"""The shared step bar and the shared confirmation render what they are given, in words."""

from datetime import date

from django.template.loader import render_to_string
from django.test import RequestFactory

from waystation.core.confirm import Confirm, carried, confirmed
from waystation.core.steps import State, Step, current_of


def test_the_step_bar_says_each_state_in_words_and_marks_the_current_one():
    steps = [
        Step("报案", State.DONE, date(2026, 3, 2), "已收到"),
        Step("区级审核", State.CURRENT, None, "区工会审核中"),
        Step("打款"),
    ]
    html = render_to_string("core/_steps.html", {"steps": steps, "steps_id": "s"})
    assert html.count("<li ") == 3 and 'id="s"' in html
    assert '<li class="step current" aria-current="step">' in html
    assert html.count("aria-current") == 1
    assert '<span class="visually-hidden">已完成：</span>报案' in html
    assert '<span class="visually-hidden">未开始：</span>打款' in html
    assert '<span class="step-date">3月2日</span>' in html
    assert "<svg" in html and 'aria-hidden="true"' in html  # the done mark is an icon, not emoji
    assert current_of(steps) is steps[1]


def test_a_failed_step_is_where_the_case_stands():
    steps = [Step("报案", State.DONE), Step("审核", State.FAILED, note="未通过")]
    assert current_of(steps) is steps[1]
    assert current_of([Step("报案", State.DONE)]) is None


def test_the_confirmation_carries_the_typed_values_and_asks_for_yes(rf: RequestFactory, db):
    request = rf.post("/x/", {"amount": "2000", "reason": "<b>理由</b>", "other": "no"})
    c = Confirm(
        title="确认批准给付 ¥2,000",
        action="/x/",
        button="确认批准",
        back="/back/",
        facts=[("金额", "¥2,000")],
        warning="不能撤回",
        carry=carried(request, "amount", "reason"),
    )
    html = render_to_string("core/_confirm.html", {"confirm": c}, request=request)
    assert '<input type="hidden" name="amount" value="2000">' in html
    assert "&lt;b&gt;理由&lt;/b&gt;" in html and 'name="other"' not in html
    assert '<input type="hidden" name="confirm" value="yes">' in html
    assert "<dt>金额</dt><dd>¥2,000</dd>" in html and 'href="/back/"' in html
    assert not confirmed(request)
    assert confirmed(rf.post("/x/", {"confirm": "yes"}))
    assert not confirmed(rf.get("/x/", {"confirm": "yes"}))

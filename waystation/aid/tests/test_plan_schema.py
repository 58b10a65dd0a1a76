"""A plan's terms have one set of rules (the model's clean()): the same bad terms give the same
message on the plan page, beside the field, and from the services, under the field; a copy to a
year that exists says the same on the page and from plan_copy."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from waystation.aid import forms, services
from waystation.aid.access import cities_managed_by
from waystation.aid.models import Plan
from waystation.aid.tests.test_plans import NEW_PLAN, field_html

BAD_TERMS = {"start_date": "2027-06-01", "end_date": "2027-01-01", "min_age": "70"}
MESSAGES = {"end_date": "结束日期不能早于开始日期", "max_age": "最高年龄不能小于最低年龄"}


def test_bad_terms_give_the_same_messages_on_the_page_and_from_plan_create(people, as_user):
    r = as_user(people.carl).post("/staff/aid/plans/new/", {**NEW_PLAN, **BAD_TERMS})
    assert r.status_code == 200
    html = r.content.decode()
    for field, message in MESSAGES.items():
        assert message in field_html(html, field)

    form = forms.PlanForm({**NEW_PLAN, **BAD_TERMS}, cities=cities_managed_by(people.carl))
    assert form.is_valid(), form.errors  # the rules that name two fields are the plan's own
    with pytest.raises(ValidationError) as exc:
        services.plan_create(
            code="courier-2027",
            city=form.cleaned_data["city"],
            actor=people.carl,
            **form.plan_fields(),
        )
    assert {k: exc.value.message_dict[k] for k in MESSAGES} == {k: [m] for k, m in MESSAGES.items()}
    assert not Plan.objects.exists()


def test_bad_terms_give_the_same_messages_on_the_edit_page_and_from_plan_update(
    people, as_user, plans
):
    from waystation.aid.tests.test_plans import form_of

    plan = plans["accident"]
    bad = {"start_date": date(2026, 6, 1), "end_date": date(2026, 1, 1), "min_age": 70}
    r = as_user(people.carl).post(f"/staff/aid/plans/{plan.code}/", form_of(plan, **bad))
    html = r.content.decode()
    for field, message in MESSAGES.items():
        assert message in field_html(html, field)
    with pytest.raises(ValidationError) as exc:
        services.plan_update(plan=plan, actor=people.carl, reason="试试", **bad)
    assert {k: exc.value.message_dict[k] for k in MESSAGES} == {k: [m] for k, m in MESSAGES.items()}


def test_a_copy_to_a_year_that_exists_says_the_same_on_the_page_and_from_plan_copy(
    people, as_user, plans
):
    plan = plans["accident"]
    services.plan_copy(plan=plan, year=plan.year + 1, actor=people.carl)
    message = f"{plan.year + 1} 年已有该方案（accident-{plan.year + 1}），请直接编辑"
    r = as_user(people.carl).post(f"/staff/aid/plans/{plan.code}/copy/", {"year": plan.year + 1})
    assert r.status_code == 302
    assert [m.message for m in get_messages(r.wsgi_request)] == [message]
    with pytest.raises(ValidationError) as exc:
        services.plan_copy(plan=plan, year=plan.year + 1, actor=people.carl)
    assert exc.value.message_dict == {"year": [message]}


def test_plan_fields_are_the_terms_without_code_city_or_reason(people):
    form = forms.PlanForm(NEW_PLAN, cities=cities_managed_by(people.carl))
    assert form.is_valid(), form.errors
    terms = form.plan_fields()
    assert set(terms) == set(services.PLAN_FIELDS)
    assert form.cleaned_data["city"].adcode == "320400"  # carl's one city, asked of nobody
    assert terms["contribution_fen"] == 4550

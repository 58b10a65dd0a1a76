"""A gift to many members is checked by one schema, GiftForm: the plans page shows its messages,
and gift_batch_start takes only the checked, typed Gift."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from waystation.aid import forms
from waystation.aid.access import plans_visible_to, units_of
from waystation.aid.models import GiftBatch
from waystation.aid.services import Gift


def _list(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("list.csv", text.encode(), content_type="text/csv")


def test_a_list_gives_its_member_numbers_upper_case_unique_and_sorted(plans, people, orgs):
    upload = _list("会员号\ncz00000002, 张三\n\nCZ00000001\n  CZ00000002  \nX123\n")
    form = forms.GiftForm(
        {"plan": plans["accident"].pk, "unit": orgs["city"].pk},
        {"file": upload},
        units=units_of(people.carl),
        plans=plans_visible_to(people.carl),
    )
    assert form.is_valid(), form.errors
    assert form.gift() == Gift(
        plan=plans["accident"],
        unit=orgs["city"],
        filters={},
        member_numbers=("CZ00000001", "CZ00000002"),
    )


def test_a_filter_keeps_only_the_filters_given(plans, people, orgs):
    data = {"plan": plans["accident"].pk, "unit": orgs["tianning"].pk, "district": "tianning"}
    form = forms.GiftForm(
        data | {"industry": "", "status": ""},
        units=units_of(people.alice),
        plans=plans_visible_to(people.alice),
    )
    assert form.is_valid(), form.errors
    assert form.gift() == Gift(
        plan=plans["accident"], unit=orgs["tianning"], filters={"district": "tianning"}
    )


def _refused(client, data: dict) -> str:
    r = client.post("/staff/aid/plans/", data)
    assert r.status_code == 200
    assert not GiftBatch.objects.exists()
    return r.context["form_error"]


def test_the_page_refuses_a_list_without_member_numbers(plans, people, orgs, as_user):
    data = {"plan": plans["accident"].pk, "unit": orgs["city"].pk, "file": _list("姓名\n张三\n")}
    assert _refused(as_user(people.carl), data) == "名单中没有会员号"


def test_the_page_asks_for_plan_and_union_once(plans, people, as_user):
    assert _refused(as_user(people.carl), {"district": "tianning"}) == "请选择方案和赠送工会"


def test_a_union_the_giver_does_not_act_for_is_refused(plans, people, orgs, as_user):
    data = {"plan": plans["accident"].pk, "unit": orgs["zhonglou"].pk}
    assert _refused(as_user(people.alice), data) == "请选择方案和赠送工会"


def test_a_list_over_the_size_limit_is_refused(plans, people, orgs, as_user, monkeypatch):
    monkeypatch.setattr(forms, "GIFT_LIST_MAX_BYTES", 10)
    data = {"plan": plans["accident"].pk, "unit": orgs["city"].pk, "file": _list("CZ00000001\n")}
    assert _refused(as_user(people.carl), data) == "名单文件过大"


@pytest.mark.parametrize("field", ["plan", "unit"])
def test_an_unknown_plan_or_union_is_refused(plans, people, orgs, as_user, field):
    data = {"plan": plans["accident"].pk, "unit": orgs["city"].pk} | {field: "999999"}
    assert _refused(as_user(people.carl), data) == "请选择方案和赠送工会"

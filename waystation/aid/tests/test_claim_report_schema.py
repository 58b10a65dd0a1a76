"""A report is checked by one schema (forms.ClaimReportForm) on the phone page and in the API:
the same input gets the same message on both, and the service writes only a checked report."""

import re

import pytest

from waystation.accounts.access import NotInScope
from waystation.aid import services
from waystation.aid.forms import ClaimReportForm
from waystation.aid.models import Claim
from waystation.aid.tests.conftest import claim_data, phone_form
from waystation.aid.tests.test_api import body, member_client


def page_post(rider, enrolment, **over):
    return member_client(rider).post("/me/aid/claims/new/", phone_form(enrolment, **over))


def api_post(rider, enrolment, **over):
    return member_client(rider).post(
        "/api/v1/aid/claims", body(enrolment, **over), content_type="application/json"
    )


def beside(html: str, name: str) -> list[str]:
    """The messages rendered right after the field's input."""
    match = re.search(
        rf'name="{name}"[^>]*>(?:(?:(?!name=).)*?</(?:textarea|select)>)?\s*'
        r'<ul class="errorlist"[^>]*>(.*?)</ul>',
        html,
        re.S,
    )
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "摔了", "请简要描述事故经过"),
        ("incident_place", "   ", "请填写事故地点"),
        ("bank_card", "6222-0202", "请填写本人银行卡号（12–19 位数字）"),
        ("bank_name", "", "请填写开户银行"),
        ("incident_date", "2099-01-01", "事故日期不能晚于今天"),
        (
            "incident_date",
            "2025-12-31",
            "该日期不在保障期内（保障期 2026-01-05 至 2026-12-31，含等待期）",
        ),
        ("platform", "uber", "平台无效"),
        ("incident_type", "lottery", "请选择事故类型"),
    ],
)
def test_page_and_api_refuse_the_same_input_with_the_same_message(
    enrolment, rider, field, value, message
):
    r = api_post(rider, enrolment, **{field: value})
    assert r.status_code == 400
    assert r.json() == {"errors": {field: [message]}}
    page = page_post(rider, enrolment, **{field: value})
    assert page.status_code == 200
    assert beside(page.content.decode(), field) == [message]
    assert Claim.objects.count() == 0


def test_a_place_longer_than_the_page_allows_is_refused_by_the_api_too(enrolment, rider):
    r = api_post(rider, enrolment, incident_place="路" * 201)
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["incident_place"]
    assert Claim.objects.count() == 0


def test_an_ask_outside_the_plan_is_refused_by_name(enrolment, rider):
    r = api_post(rider, enrolment, asks={"lottery": {}})
    assert r.json() == {"errors": {"asks": ["方案中没有“lottery”这项保障"]}}


def test_both_paths_write_the_same_claim(enrolment, rider):
    assert page_post(rider, enrolment).status_code == 302
    assert api_post(rider, enrolment, asks={"medical": {"amount": 320000}}).status_code == 201
    page, api = Claim.objects.order_by("id")
    fields = ("enrolment_id", "incident_type", "asks", "bank_card_masked", "platform_id")
    assert [getattr(page, f) for f in fields] == [getattr(api, f) for f in fields]
    assert page.account_name == api.account_name == rider.name


def test_the_service_refuses_a_report_on_another_members_enrolment(enrolment, rider, other_rider):
    report = ClaimReportForm(claim_data(enrolment), member=rider).checked()
    with pytest.raises(NotInScope):
        services.claim_report(member=other_rider, report=report)
    assert Claim.objects.count() == 0

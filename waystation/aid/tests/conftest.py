"""Aid fixtures: members in two districts, this year's example plans, a claim ready to review."""

from datetime import date

import pytest

from waystation.aid import services
from waystation.aid.forms import ClaimReportForm
from waystation.aid.models import Enrolment, Plan

YEAR = 2026
TODAY = date(2026, 6, 1)


def make_member(number: str, *, district="tianning", industry="food_delivery", id_tail="0011"):
    from waystation.accounts.cities import industry_union
    from waystation.accounts.models import District
    from waystation.members.models import Member
    from waystation.members.services import member_fields

    id_number = f"32040219900101{id_tail}"
    return Member.objects.create(
        member_number=number,
        **member_fields(
            name="张三" + number[-2:], id_number=id_number, phone=f"1380000{number[-4:]}"
        ),
        industry_id=industry,
        work_district_id=district,
        union=industry_union(District.objects.get(code=district).city_id, industry),
        channel=Member.Channel.SCAN,
    )


@pytest.fixture
def plans(orgs) -> dict[str, Plan]:
    return {p.kind: p for p in services.plans_ensure_examples(YEAR, city=orgs["city"].city)}


@pytest.fixture
def rider(orgs):
    return make_member("CZ00000001", id_tail="0011")


@pytest.fixture
def other_rider(orgs):
    return make_member("CZ00000002", district="zhonglou", id_tail="0022")


@pytest.fixture
def enrolment(plans, rider) -> Enrolment:
    return services.enrolment_self(member=rider, plan=plans["accident"], today=date(2026, 1, 5))


def phone_form(enrolment, **over):
    """What a member types into the phone page's report form."""
    data = {
        "enrolment": enrolment.pk,
        "incident_type": "accident",
        "incident_date": "2026-03-02",
        "incident_place": "延陵西路",
        "description": "送餐时摔倒",
        "platform": "meituan",
        "medical_yuan": "3200",
        "hospital_days": "",
        "bank_name": "工商银行",
        "bank_card": "6222 0202 0011 2233 445",
    }
    data.update(over)
    return data


def report_claim(member, data, **kw):
    """A claim reported as the page and the API report it: checked by the report form, then
    written by the service (ValidationError names every problem by field)."""
    report = ClaimReportForm(data, member=member).checked()
    return services.claim_report(member=member, report=report, **kw)


def claim_data(enrolment, **over):
    data = {
        "enrolment": enrolment.pk,
        "incident_type": "accident",
        "incident_date": date(2026, 3, 2),
        "incident_place": "天宁区延陵西路",
        "description": "送餐途中电动车滑倒，左腿擦伤",
        "platform": "meituan",
        "asks": {"medical": {"amount": 320000}, "hospital": {"days": 3}},
        "bank_name": "中国工商银行",
        "bank_card": "6222020200112233445",
    }
    data.update(over)
    return data


@pytest.fixture
def claim(enrolment, rider):
    return report_claim(rider, claim_data(enrolment))


def attach_required(claim):
    """Invoice and diagnosis as tiny valid files."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    for doc_type in ("invoice", "diagnosis"):
        services.claim_document_add(
            claim=claim,
            doc_type=doc_type,
            upload=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%test\n", "application/pdf"),
            member=claim.member,
        )


def make_ready(claim, reviewer):
    """Documents attached, confirmed by 美团, passed by the district: awaiting the city."""
    from waystation.accounts.models import Platform

    attach_required(claim)
    meituan = Platform.objects.get(code="meituan")
    services.claim_platform_confirm(
        claim=claim, platform=meituan, working=True, note="在线接单", actor=meituan
    )
    services.claim_review(claim=claim, actor=reviewer)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def ready_claim(claim, people):
    """A 天宁 rider's claim passed by the 天宁 district: awaiting the city."""
    return make_ready(claim, people.alice)


def exported(payout, actor):
    """The payout sent to the bank in a batch file of its own: only then paid or failed."""
    services.payout_batch_export(actor=actor, payouts=[payout])
    payout.refresh_from_db()
    return payout

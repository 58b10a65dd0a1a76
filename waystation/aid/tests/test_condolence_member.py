"""A condolence is recorded for the member typed in (member number, phone or ID number), never
for whichever member in scope happens to come first."""

import pytest

from waystation.aid.models import Condolence
from waystation.aid.tests.conftest import make_member


def _post(people, as_user, who: str):
    return as_user(people.alice).post(
        "/staff/aid/condolences/",
        {"member": who, "visited_on": "2026-07-01", "cash_yuan": "5000", "goods_yuan": "0",
         "reason": "货车司机会员罹患癌症", "approver": people.carl.pk},
    )  # fmt: skip


@pytest.fixture
def two(orgs):
    first = make_member("CZ00000011", industry="truck", id_tail="0011")
    second = make_member("CZ00000012", industry="truck", id_tail="0022")
    return first, second


@pytest.mark.parametrize(
    ("typed", "number"),
    [("CZ00000011", "CZ00000011"), ("cz00000012", "CZ00000012"),
     ("13800000011", "CZ00000011"), ("13800000012", "CZ00000012"),
     ("320402199001010011", "CZ00000011"), ("320402199001010022", "CZ00000012")],
)  # fmt: skip
def test_condolence_goes_to_the_member_typed(people, as_user, two, typed, number):
    assert _post(people, as_user, typed).status_code == 302
    assert list(Condolence.objects.values_list("member__member_number", flat=True)) == [number]


@pytest.mark.parametrize("typed", ["", "CZ99999999", "13999999999"])
def test_condolence_for_unknown_or_blank_member_records_nothing(people, as_user, two, typed):
    r = _post(people, as_user, typed)
    assert r.status_code == 200 and "不在您的范围内" in r.content.decode()
    assert not Condolence.objects.exists()


def test_condolence_for_a_member_outside_scope_records_nothing(people, as_user, orgs):
    make_member("CZ00000013", district="zhonglou", industry="truck", id_tail="0033")
    assert _post(people, as_user, "CZ00000013").status_code == 200
    assert not Condolence.objects.exists()

"""The shorthands offices type in a roster (RosterAlias rows: every city's, and a city's own
for its districts) are taken for what they mean; a near-miss is not taken but its likely
meaning is suggested in the row's message."""

import pytest

from waystation.members import roster
from waystation.members.demo import roster_xlsx
from waystation.members.models import RosterAlias

pytestmark = pytest.mark.django_db
PERSON = ["王小明", "11010519491231002X", "13812345678"]


def _rows(unit, *rows):
    return roster.parse(roster_xlsx(rows), unit=unit).rows


def test_shorthands_are_taken_for_what_they_mean(orgs):
    (row,) = _rows(orgs["city"], [*PERSON, "外卖", "美团外卖、淘宝闪购", "新北", ""])
    assert row.errors == []
    assert (row.industry, row.district) == ("food_delivery", "xinbei")
    assert len(row.platform_ids) == 2


def test_a_citys_own_district_shorthand_is_taken(orgs):
    (row,) = _rows(orgs["city"], [*PERSON, "快递员", "顺丰", "常州高新区", ""])
    assert (row.errors, row.industry, row.district) == ([], "express", "xinbei")


def test_another_citys_district_shorthand_is_not_taken(orgs, wuxi):
    RosterAlias.objects.create(kind="district", city_adcode="320200", alias="新区", means="新吴区")
    (row,) = _rows(orgs["city"], [*PERSON, "外卖", "美团", "新区", ""])
    assert row.district == ""  # 新吴区 is 无锡's: at most a suggestion of a 常州 one
    assert row.errors == ["工作区域：“新区”不是有效的区域，是否为“新北区”？"]


def test_an_alias_added_as_a_row_is_taken(orgs):
    RosterAlias.objects.create(kind="district", city_adcode="320400", alias="茶山", means="天宁区")
    (row,) = _rows(orgs["city"], [*PERSON, "外卖", "美团", "茶山", ""])
    assert (row.errors, row.district) == ([], "tianning")


def test_an_alias_never_hides_a_rows_own_name(orgs):
    RosterAlias.objects.create(
        kind="district", city_adcode="320400", alias="钟楼区", means="天宁区"
    )
    (row,) = _rows(orgs["city"], [*PERSON, "外卖", "美团", "钟楼区", ""])
    assert row.district == "zhonglou"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["外卖", "美团", "新北去"], "工作区域：“新北去”不是有效的区域，是否为“新北区”？"),
        (
            ["外卖", "美团", "天宁区茶山街道"],
            "工作区域：“天宁区茶山街道”不是有效的区域，是否为“天宁区”？",
        ),
        (["外卖送参", "美团", "天宁区"], "行业：“外卖送参”不是有效的行业，是否为“外卖送餐”？"),
        (["外卖", "饿了么么", "天宁区"], "平台：“饿了么么”不是已登记的平台，是否为“饿了么”？"),
        (["外卖", "美团", "火星区"], "工作区域：“火星区”不是有效的区域"),
    ],
)
def test_a_near_miss_is_suggested_not_taken(orgs, cells, message):
    (row,) = _rows(orgs["city"], [*PERSON, *cells, ""])
    assert row.errors == [message]

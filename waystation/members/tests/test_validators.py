from datetime import date

import pytest
from django.core.exceptions import ValidationError

from waystation.members.validators import (
    clean_id_number,
    clean_name,
    clean_phone,
    id_check_digit,
)

TODAY = date(2026, 11, 29)
VALID = "11010519491231002X"  # the GB 11643 standard's own example


def test_check_digit_of_the_standard_example_is_x():
    assert id_check_digit(VALID[:17]) == "X"


def test_valid_id_number_is_accepted_and_normalised():
    assert clean_id_number(VALID.lower(), today=TODAY) == VALID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "校验位"),  # wrong checksum
        ("1101051949123100", "18位"),  # too short
        ("11010519491232002X", "出生日期不存在"),  # 32 December
        ("990105194912310021", "地区码"),  # no such province
        ("", "请填写"),
    ],
)
def test_join_rejects_bad_id_numbers(value, message):
    with pytest.raises(ValidationError) as e:
        clean_id_number(value, today=TODAY)
    assert message in e.value.messages[0]


def _with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_join_rejects_birth_date_in_the_future():
    with pytest.raises(ValidationError) as e:
        clean_id_number(_with_check("32040220271201123"), today=TODAY)
    assert "未来" in e.value.messages[0]


def test_join_rejects_under_sixteen_and_accepts_sixteenth_birthday():
    with pytest.raises(ValidationError) as e:
        clean_id_number(_with_check("32040220101130123"), today=TODAY)  # 16 tomorrow
    assert "16" in e.value.messages[0]
    assert clean_id_number(_with_check("32040220101129123"), today=TODAY)


@pytest.mark.parametrize("value", ["13812345678", "+86 138-1234-5678", "19912345678"])
def test_phone_accepts_mainland_mobiles(value):
    assert clean_phone(value) == value.replace("+86", "").replace(" ", "").replace("-", "")


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "abc", ""])
def test_phone_rejects_non_mobiles(value):
    with pytest.raises(ValidationError):
        clean_phone(value)


@pytest.mark.parametrize(
    "value", ["张三", "欧阳娜娜", "阿依古丽·买买提", "John Smith", "Anne-Marie"]
)
def test_names_in_chinese_or_latin_script_are_accepted(value):
    assert clean_name(value) == value


@pytest.mark.parametrize("value", ["张3", "<script>", "张 三!", "", "Li@"])
def test_names_with_digits_or_symbols_are_rejected(value):
    with pytest.raises(ValidationError):
        clean_name(value)

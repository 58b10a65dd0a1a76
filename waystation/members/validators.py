"""Input rules for members: resident ID numbers (GB 11643-1999), mainland mobile numbers, names.

Each `clean_*` returns the normalised value or raises ValidationError with a Chinese message.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Province codes of the mainland, Hong Kong/Macau/Taiwan residence permits excluded.
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
}  # fmt: skip
MIN_AGE = 16

_PHONE = re.compile(r"^1[3-9]\d{9}$")
# Chinese names (with the middle dot of minority and transliterated names) or Latin names.
_NAME_ZH = re.compile(
    r"^[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef]+(?:[·•][\u3400-\u9fff]+)*$"
)
_NAME_LATIN = re.compile(r"^[A-Za-z]+(?:[ .'\-·][A-Za-z]+)*$")


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_birth_date(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_gender(value: str) -> str:
    return "M" if int(value[16]) % 2 else "F"


def clean_id_number(raw: str, *, today: date | None = None) -> str:
    value = (raw or "").strip().upper().replace(" ", "")
    today = today or date.today()
    if not value:
        raise ValidationError("请填写身份证号码", code="required")
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError("身份证号码应为18位，最后一位可以是数字或X", code="format")
    if value[:2] not in _PROVINCES:
        raise ValidationError("身份证号码的地区码无效", code="region")
    try:
        born = id_birth_date(value)
    except ValueError:
        raise ValidationError("身份证号码中的出生日期不存在", code="birth_date") from None
    if born > today:
        raise ValidationError("身份证号码中的出生日期在未来", code="birth_future")
    if born.year < 1900:
        raise ValidationError("身份证号码中的出生日期无效", code="birth_date")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError("身份证号码校验位不正确，请核对", code="checksum")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < MIN_AGE:
        raise ValidationError(f"未满{MIN_AGE}周岁，暂不能入会", code="too_young")
    return value


def clean_phone(raw: str) -> str:
    value = re.sub(r"[\s\-]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    if not value:
        raise ValidationError("请填写手机号码", code="required")
    if not _PHONE.fullmatch(value):
        raise ValidationError("请输入11位中国大陆手机号码", code="phone")
    return value


def clean_name(raw: str) -> str:
    value = re.sub(r"\s+", " ", (raw or "").strip()).replace("•", "·").replace("．", "·")
    if not value:
        raise ValidationError("请填写姓名", code="required")
    if len(value) > 40:
        raise ValidationError("姓名过长", code="too_long")
    if not (_NAME_ZH.fullmatch(value) or _NAME_LATIN.fullmatch(value)):
        raise ValidationError("姓名只能使用汉字或拉丁字母（少数民族姓名可用“·”）", code="name")
    return value


_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "．": "·", ".": "·", "･": "·"})


def name_search_key(raw: str) -> str:
    """A name as it is looked up: what staff type and what the roster or the join form held
    come to the same key whatever the spaces (inner ones too, full-width ones too), the
    full-width letters, the case of Latin letters and the middle dot used."""
    value = unicodedata.normalize("NFKC", raw or "").translate(_DOTS)
    return re.sub(r"\s+", "", value).casefold()

"""The roster template's vocabulary: its sheet and columns as staff see them, the other spellings
of a header that are accepted, and how the names staff type for an industry or a district are
looked up (the rows themselves are read by validation.py: the industries, and the districts of
the import unit's city). Plain data, no Django."""

import re
from collections.abc import Iterable

SHEET = "名册"  # the template's sheet, looked at first; otherwise the first with the columns

# Columns of the template, as staff see them, and the keys they map to.
COLUMNS: list[tuple[str, str, bool]] = [
    # header, key, required
    ("姓名", "name", True),
    ("身份证号", "id_number", True),
    ("手机号", "phone", True),
    ("行业", "industry", True),
    ("平台", "platforms", True),
    ("工作区域", "district", True),
    ("入会日期", "joined_on", False),
]
HEADERS = [header for header, _, _ in COLUMNS]
KEYS = [key for _, key, _ in COLUMNS]
REQUIRED = [(header, key) for header, key, required in COLUMNS if required]
HEADER_OF = {key: header for header, key, _ in COLUMNS}
_ALIASES = {
    "身份证号码": "id_number",
    "身份证": "id_number",
    "手机号码": "phone",
    "手机": "phone",
    "所在行业": "industry",
    "所在平台": "platforms",
    "工作所在区域": "district",
    "区域": "district",
}
_HEADER_KEYS = dict(zip(HEADERS, KEYS, strict=True)) | _ALIASES
# A sheet holds the roster when one of its first rows names most of the required columns (by
# the shortest of their spellings, as parts of the cells: "身份证" in "身份证号码（必填）"); the
# reader picks that sheet, and reading.py finds that row under any title rows.
HEADER_WORDS = ["姓名", "身份证", "手机", "行业", "平台", "区域"]
HEADER_NEED = 4
_HEADER_NOISE = re.compile(r"[\s*＊]|[（(](?:必填|选填|可选)[)）]")


def header_key(text: str) -> str:
    """The key of a header cell's text ("" for a column the import does not know): marks such
    as "*" or "（必填）" and spaces are ignored, aliases accepted."""
    return _HEADER_KEYS.get(_HEADER_NOISE.sub("", text), "")


def lookup_names(pairs: Iterable[tuple[str, str]], *, suffixes: str = "") -> dict[str, str]:
    """Code by the name staff type: the display name, the name without a suffix, the code
    (any case)."""
    out: dict[str, str] = {}
    for code, name in pairs:
        out[code.lower()] = code
        out[name] = code
        if suffixes and name and name[-1] in suffixes and len(name) > 2:
            out[name[:-1]] = code
    return out


DISTRICT_SUFFIXES = "区市县"  # a district may be typed without its last character (区, 市, 县)

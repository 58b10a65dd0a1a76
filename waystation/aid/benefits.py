"""Benefit schedules as data, and the payable amount of a claim computed from them.

A plan's schedule is a list of items, each a dict with a `code`, a `label` (shown to people) and a
`type`; money is integer fen (分), ratios and disability shares are integer percent:

- fixed          {"amount"}                                 a sum on a diagnosis
- reimbursement  {"deductible", "ratio", "cap_incident", "cap_year"}
- daily          {"per_day", "max_days"}                     hospital allowance with a day cap
- disability     {"sum", "grades": {"1": 100, …, "10": 10}}  grade 1–10 as a share of the sum
- death          {"amount"}

What a claim asks for is a dict by item code: {"medical": {"amount": 320000}, "hospital":
{"days": 12}, "disability": {"grade": 8}, "diagnosis": {}, "death": {}}. The computation is
pure: the caller supplies what was already paid this year per item (for yearly caps).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TYPES = ("fixed", "reimbursement", "daily", "disability", "death")
TYPE_LABELS = {
    "fixed": "定额给付",
    "reimbursement": "费用报销",
    "daily": "住院津贴",
    "disability": "伤残给付",
    "death": "身故给付",
}


@dataclass(frozen=True)
class AskShape:
    """What a claim gives for an item of one type: a whole number under `key`, from `low` to
    `high`; or nothing (`key` None: the item is asked for or not). `hint` says what staff type
    on the assessment page."""

    key: str | None
    low: int = 0
    high: int | None = None
    hint: str = "填 1 表示给付"


# the one place that knows what an ask of each type looks like: the claim's asks (API and
# service), the member's form, the reviewer's assessment form
ASK_SHAPES = {
    "fixed": AskShape(None),
    "reimbursement": AskShape("amount", hint="费用，元"),  # fen in an ask; yuan on the pages
    "daily": AskShape("days", 0, 366, hint="天数"),
    "disability": AskShape("grade", 1, 10, hint="伤残等级 1–10"),
    "death": AskShape(None),
}


def ask_checked(item: Mapping, ask: object) -> dict[str, int]:
    """One item's ask in the shape of its type: {"amount": fen}, {"days": n}, {"grade": g} or
    {}. ValueError if the figure is not a whole number in range."""
    shape = ASK_SHAPES[item["type"]]
    if ask is not None and not isinstance(ask, Mapping):
        raise ValueError(ask)
    if shape.key is None:
        return {}
    value = int((ask or {}).get(shape.key) or 0)
    if value < shape.low or (shape.high is not None and value > shape.high):
        raise ValueError(value)
    return {shape.key: value}


_REQUIRED = {
    "fixed": ("amount",),
    "reimbursement": ("deductible", "ratio", "cap_incident", "cap_year"),
    "daily": ("per_day", "max_days"),
    "disability": ("sum", "grades"),
    "death": ("amount",),
}


def yuan(fen: int) -> str:
    """¥3,200 or ¥3,200.50: whole yuan without decimals, fen when there are any."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}" + (f".{cents:02d}" if cents else "")


def yuan2(fen: int) -> str:
    """2,480.00: an amount for a column of money, always with two decimals (no sign)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def describe_item(item: Mapping) -> str:
    """What one schedule item pays, in the words a member reads before joining."""
    kind, label = item["type"], item["label"]
    if kind == "reimbursement":
        return _(
            "%(label)s：扣除免赔额 %(deductible)s 后报销 %(ratio)s%%，"
            "每次最多 %(cap)s，每年最多 %(year)s"
        ) % {
            "label": label,
            "deductible": yuan(item["deductible"]),
            "ratio": item["ratio"],
            "cap": yuan(item["cap_incident"]),
            "year": yuan(item["cap_year"]),
        }
    if kind == "daily":
        return _("%(label)s：住院每天 %(per_day)s，最多 %(days)s 天") % {
            "label": label,
            "per_day": yuan(item["per_day"]),
            "days": item["max_days"],
        }
    if kind == "disability":
        return _("%(label)s：按伤残等级给付，1 级 %(sum)s，10 级为其 %(low)s%%") % {
            "label": label,
            "sum": yuan(_pct(item["sum"], int(item["grades"].get("1", 100)))),
            "low": item["grades"].get("10", 0),
        }
    return _("%(label)s：给付 %(amount)s") % {"label": label, "amount": yuan(item["amount"])}


def describe_ask(item: Mapping, ask: Mapping | None) -> str:
    """What a claim asks of one item, in words and yuan (the assessment as staff read it)."""
    label, ask = item["label"], ask or {}
    kind = item["type"]
    if kind == "reimbursement":
        return _("%(label)s：费用 %(amount)s") % {
            "label": label,
            "amount": yuan(int(ask.get("amount") or 0)),
        }
    if kind == "daily":
        return _("%(label)s：住院 %(days)s 天") % {"label": label, "days": ask.get("days") or 0}
    if kind == "disability":
        return _("%(label)s：伤残 %(grade)s 级") % {"label": label, "grade": ask.get("grade")}
    return _("%(label)s：申请给付") % {"label": label}


def _nonneg_int(value: Any, where: str, errors: list[str]) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        errors.append(f"{where} 必须是非负整数（金额以分计）")


def validate_schedule(schedule: Any) -> None:
    """Raise ValidationError (field "schedule") naming every problem of a schedule."""
    errors: list[str] = []
    if not isinstance(schedule, list) or not schedule:
        raise ValidationError({"schedule": ["保障责任必须是非空列表"]})
    seen: set[str] = set()
    for i, item in enumerate(schedule, start=1):
        where = f"第{i}项"
        if not isinstance(item, dict):
            errors.append(f"{where} 必须是对象")
            continue
        code, kind = item.get("code"), item.get("type")
        if not isinstance(code, str) or not code:
            errors.append(f"{where} 缺少 code")
        elif code in seen:
            errors.append(f"{where} code “{code}” 重复")
        else:
            seen.add(code)
        if not isinstance(item.get("label"), str) or not item.get("label"):
            errors.append(f"{where} 缺少名称 label")
        if kind not in TYPES:
            errors.append(f"{where} 类型 type 必须是 {', '.join(TYPES)} 之一")
            continue
        for key in _REQUIRED[kind]:
            if key not in item:
                errors.append(f"{where} 缺少 {key}")
            elif key != "grades":
                _nonneg_int(item[key], f"{where} {key}", errors)
        ratio = item.get("ratio")
        if kind == "reimbursement" and isinstance(ratio, int) and not 0 < ratio <= 100:
            errors.append(f"{where} ratio 是百分比，须在 1–100 之间")
        if kind == "disability" and "grades" in item:
            grades = item["grades"]
            if not isinstance(grades, dict) or sorted(grades, key=str) != sorted(
                (str(g) for g in range(1, 11)), key=str
            ):
                errors.append(f"{where} grades 须给出 1–10 级的比例")
            else:
                for g, pct in grades.items():
                    if not isinstance(pct, int) or not 0 <= pct <= 100:
                        errors.append(f"{where} {g}级比例须是 0–100 的整数")
    if errors:
        raise ValidationError({"schedule": errors})


@dataclass
class Line:
    code: str
    label: str
    amount: int  # fen
    explanation: str


@dataclass
class Payable:
    total: int = 0  # fen
    lines: list[Line] = field(default_factory=list)
    covered: bool = True

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "covered": self.covered,
            "lines": [
                {"code": x.code, "label": x.label, "amount": x.amount, "text": x.explanation}
                for x in self.lines
            ],
        }


def _pct(amount: int, pct: int) -> int:
    """amount × pct%, rounded half up to the fen, in integers."""
    return (amount * pct + 50) // 100


def item_amount(item: Mapping, ask: Mapping, paid_this_year: int = 0) -> Line:
    """The payable amount of one schedule item for what a claim asks, with its explanation."""
    kind, label, code = item["type"], item["label"], item["code"]
    if kind in ("fixed", "death"):
        amt = item["amount"]
        return Line(code, label, amt, f"{label} 定额 {yuan(amt)}")
    if kind == "reimbursement":
        cost = int(ask.get("amount") or 0)
        after = max(0, cost - item["deductible"])
        raw = _pct(after, item["ratio"])
        text = (
            f"{label} {yuan(cost)} − 免赔 {yuan(item['deductible'])} = {yuan(after)}"
            f" × {item['ratio']}% = {yuan(raw)}"
        )
        amt = min(raw, item["cap_incident"])
        text += f"，单次上限 {yuan(item['cap_incident'])}"
        room = max(0, item["cap_year"] - paid_this_year)
        if amt > room:
            amt = room
            text += (
                f"，年度上限 {yuan(item['cap_year'])} 已用 {yuan(paid_this_year)}，"
                f"尚余 {yuan(room)}"
            )
        if amt != raw:
            text += f"，应付 {yuan(amt)}"
        return Line(code, label, amt, text)
    if kind == "daily":
        days = int(ask.get("days") or 0)
        paid_days = min(days, item["max_days"])
        amt = paid_days * item["per_day"]
        text = f"{label} {paid_days} 天 × {yuan(item['per_day'])} = {yuan(amt)}"
        if days > item["max_days"]:
            text = (
                f"{label} 住院 {days} 天，最多 {item['max_days']} 天："
                f"{paid_days} 天 × {yuan(item['per_day'])} = {yuan(amt)}"
            )
        return Line(code, label, amt, text)
    if kind == "disability":
        grade = int(ask.get("grade") or 0)
        if not 1 <= grade <= 10:
            return Line(code, label, 0, f"{label} 伤残等级须为 1–10 级，未给付")
        pct = int(item["grades"][str(grade)])
        amt = _pct(item["sum"], pct)
        return Line(
            code, label, amt, f"{label} {grade} 级：保额 {yuan(item['sum'])} × {pct}% = {yuan(amt)}"
        )
    raise ValueError(kind)  # pragma: no cover - validate_schedule refuses other types


def compute(
    schedule: list[dict],
    asks: Mapping[str, Mapping],
    *,
    paid_this_year: Mapping[str, int] | None = None,
    covered: bool = True,
    not_covered_reason: str = "",
) -> Payable:
    """The payable amount for the items a claim asks for, one explanation line per item."""
    if not covered:
        return Payable(0, [Line("", "", 0, not_covered_reason or "事故日期不在保障期内")], False)
    paid_this_year = paid_this_year or {}
    out = Payable()
    for item in schedule:
        if item["code"] not in asks:
            continue
        line = item_amount(item, asks[item["code"]] or {}, paid_this_year.get(item["code"], 0))
        out.lines.append(line)
        out.total += line.amount
    return out


def item_ceiling(item: Mapping, paid_this_year: int = 0) -> int:
    """The most one schedule item can pay on one claim, whatever the claim asks: the fixed sum,
    the incident cap within what is left of the yearly cap, the day cap, the highest grade."""
    kind = item["type"]
    if kind in ("fixed", "death"):
        return item["amount"]
    if kind == "reimbursement":
        return max(0, min(item["cap_incident"], item["cap_year"] - paid_this_year))
    if kind == "daily":
        return item["per_day"] * item["max_days"]
    if kind == "disability":
        return _pct(item["sum"], max(int(pct) for pct in item["grades"].values()))
    raise ValueError(kind)  # pragma: no cover - validate_schedule refuses other types


def ceiling(
    schedule: list[dict],
    asks: Mapping[str, Mapping],
    *,
    paid_this_year: Mapping[str, int] | None = None,
) -> int:
    """The most the items a claim asks for could ever pay together (fen)."""
    paid_this_year = paid_this_year or {}
    return sum(
        item_ceiling(item, paid_this_year.get(item["code"], 0))
        for item in schedule
        if item["code"] in asks
    )

from django import template

from waystation.aid.benefits import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen as ¥1,234.56."""
    if fen is None or fen == "":
        return ""
    return _yuan(int(fen))


@register.filter
def grouped(n) -> str:
    """A count with thousands separators, 180,686, in every language: the zh-hans locale groups
    by nothing (humanize's intcomma prints 180686), and the report writes 180,686."""
    if n is None or n == "":
        return ""
    return f"{int(n):,}"

from django import template

from waystation.aid.benefits import yuan as _yuan
from waystation.aid.benefits import yuan2 as _yuan2

register = template.Library()


@register.filter
def yuan(fen: int | str | None) -> str:
    """Integer fen as ¥1,234.56."""
    if fen is None or fen == "":
        return ""
    return _yuan(int(fen))


@register.filter
def yuan2(fen: int | str | None) -> str:
    """Integer fen as 1,234.00: a column of money, always two decimals."""
    if fen is None or fen == "":
        return ""
    return _yuan2(int(fen))

from django import template

from waystation.aid.benefits import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | str | None) -> str:
    """Integer fen as ¥1,234.56."""
    if fen is None or fen == "":
        return ""
    return _yuan(int(fen))

from django import template

from waystation.aid.benefits import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen as ¥1,234.56."""
    if fen is None or fen == "":
        return ""
    return _yuan(int(fen))

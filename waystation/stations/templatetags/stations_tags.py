from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def timesince_age(age: timedelta) -> str:
    """A report's age in words: 3天5小时, 2小时10分, 5分钟."""
    minutes = int(age.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{mins}分"
    return f"{mins}分钟"

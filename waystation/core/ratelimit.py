"""A limit reached: the message to show beside the field, and when to try again."""

from math import ceil

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def wait_text(seconds: int) -> str:
    """A wait as a person reads it: "45秒", "12分钟"."""
    if seconds < 120:
        return _("%(n)d秒") % {"n": seconds}
    return _("%(n)d分钟") % {"n": ceil(seconds / 60)}


class RateLimited(ValidationError):
    """A ValidationError (so pages show it beside `field`, like any other) that also says how many
    whole seconds remain until the limit lifts: the API answers 429 with `Retry-After`, pages
    count down. `message` has a `%(wait)s` placeholder for the wait in words."""

    def __init__(self, field: str, message: str, retry_after: float):
        self.retry_after = max(1, ceil(retry_after))
        text = message % {"wait": wait_text(self.retry_after)}
        super().__init__({field: [ValidationError(text, code="rate")]})

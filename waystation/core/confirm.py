"""A confirmation before an irreversible or money action, as a server-side step: the first POST
(without `confirm=yes`) renders what will happen (`core/_confirm.html`) with the typed values
carried in hidden fields; only the second POST, from its 确认 button, acts. It works without
script, and a screen reader reads the facts as a list before the button.

    if not confirmed(request):
        return render(request, "aid/enrol_confirm.html", {"confirm": Confirm(...)})
"""

from dataclasses import dataclass, field

from django.http import HttpRequest

CONFIRM_FIELD = "confirm"


def confirmed(request: HttpRequest) -> bool:
    """Whether this POST came from a confirmation's 确认 button."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


@dataclass(frozen=True)
class Confirm:
    """What the confirmation shows: a title, the facts as (label, value) rows, an optional
    warning, the action it posts to with the values to carry, the button's words and where
    "返回" leads."""

    title: str
    action: str
    button: str
    back: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    warning: str = ""
    carry: list[tuple[str, str]] = field(default_factory=list)


def carried(request: HttpRequest, *names: str) -> list[tuple[str, str]]:
    """The posted values of `names`, to carry through the confirmation unchanged."""
    return [(n, v) for n in names for v in request.POST.getlist(n)]

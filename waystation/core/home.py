"""The rider's home grid and the staff workbench, contributed by each app in its
AppConfig.ready(), like the staff navigation (core/nav.py):

    home.register_tile(home.Tile("aid", _("互助保障"), "shield", "aid:my_aid", order=30,
                                 state=cover_line))
    home.register_todo(home.ToDo("aid.review", _("待区级审核的理赔"), "aid:staff_claims",
                                 count=claims_to_review, visible=can_review_claims,
                                 query="status=submitted"))
    home.register_figure(home.Figure("members.all", _("会员"), "members:staff_list",
                                     count=members_in_scope, visible=can_see_members))

A tile is for everyone who opens the site (`visible(member)` gets the signed-in member or None);
its `state(member)` is one short line about the member's own business with it ("保障至
2027-06-30", "1 件理赔办理中"), or None. A to-do is a count of what waits for the account (and
optionally how many of them are overdue), a figure a count of the account's own scope; both
link to the list that shows those very rows, so the number on the workbench and the list agree.

Every count is one query at most, and only the registered items that the account may see are
counted: the workbench's queries are bounded by the number of items registered, never by rows
(core/tests/test_home.py measures it). A module that lands later adds its tile with one call.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.functional import Promise

from waystation.accounts.access import AnyUser

if TYPE_CHECKING:
    from waystation.members.models import Member


def _always(_: Any) -> bool:
    return True


@dataclass(frozen=True)
class Tile:
    key: str
    label: str | Promise
    icon: str  # templates/icons/NAME.svg
    url_name: str
    order: int = 100
    visible: Callable[["Member | None"], bool] = _always
    state: Callable[["Member"], str | None] | None = None
    query: str = ""  # appended to the URL after "?"


@dataclass(frozen=True)
class ToDo:
    key: str
    label: str | Promise
    url_name: str
    count: Callable[[Any], int]
    visible: Callable[[Any], bool]
    overdue: Callable[[Any], int] | None = None
    order: int = 100
    query: str = ""


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    url_name: str
    count: Callable[[Any], int]
    visible: Callable[[Any], bool]
    note: str | Promise = ""  # what is counted, where a reader could wonder ("含全部状态")
    order: int = 100
    query: str = ""


_TILES: dict[str, Tile] = {}
_TODOS: dict[str, ToDo] = {}
_FIGURES: dict[str, Figure] = {}


def register_tile(tile: Tile) -> None:
    _TILES.setdefault(tile.key, tile)


def register_todo(todo: ToDo) -> None:
    _TODOS.setdefault(todo.key, todo)


def register_figure(figure: Figure) -> None:
    _FIGURES.setdefault(figure.key, figure)


def _url(url_name: str, query: str) -> str:
    return reverse(url_name) + (f"?{query}" if query else "")


def tiles_for(member: "Member | None") -> list[dict]:
    """The home grid for this visitor, in order, each with the member's state line."""
    out = []
    for t in sorted(_TILES.values(), key=lambda t: (t.order, t.key)):
        if not t.visible(member):
            continue
        state = t.state(member) if (member is not None and t.state is not None) else None
        out.append(
            {
                "key": t.key,
                "label": t.label,
                "icon": f"icons/{t.icon}.svg",
                "url": _url(t.url_name, t.query),
                "state": state,
            }
        )
    return out


def todos_for(user: AnyUser) -> list[dict]:
    """What waits for this account: every visible to-do with its count (and overdue count)."""
    out = []
    for t in sorted(_TODOS.values(), key=lambda t: (t.order, t.key)):
        if not t.visible(user):
            continue
        n = t.count(user)
        overdue = t.overdue(user) if (t.overdue is not None and n) else 0
        out.append(
            {
                "key": t.key,
                "label": t.label,
                "url": _url(t.url_name, t.query),
                "n": n,
                "overdue": overdue,
            }
        )
    return out


def figures_for(user: AnyUser) -> list[dict]:
    """The figures of the account's own scope, each linking to its filtered list."""
    out = []
    for f in sorted(_FIGURES.values(), key=lambda f: (f.order, f.key)):
        if f.visible(user):
            out.append(
                {
                    "key": f.key,
                    "label": f.label,
                    "url": _url(f.url_name, f.query),
                    "n": f.count(user),
                    "note": f.note,
                }
            )
    return out

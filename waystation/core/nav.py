"""Staff navigation, contributed by each app in its AppConfig.ready(), each item shown by the
same `can_*(user)` rule of the app's access module that guards its page, and filed under one of
the module groups (会员, 驿站, 互助, 规划, 系统):

nav.register("驿站", "stations:staff_list", can_see_stations, group=nav.STATIONS)

A group shows only when the account may use at least one of its items; the groups keep the
order of GROUPS, the items within a group the order they were registered in (an app's
AppConfig.ready() runs in INSTALLED_APPS order). A module that lands later names a group of
its own with `group=("legal", _("法援"))` and lands after the five.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from waystation.accounts.access import AnyUser

Group = tuple[str, str | Promise]

MEMBERS: Group = ("members", _("会员"))
STATIONS: Group = ("stations", _("驿站"))
AID: Group = ("aid", _("互助"))
PLANNING: Group = ("planning", _("规划"))
SYSTEM: Group = ("system", _("系统"))
GROUPS: tuple[Group, ...] = (MEMBERS, STATIONS, AID, PLANNING, SYSTEM)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    visible: Callable[[Any], bool]
    group: Group = SYSTEM


_ITEMS: list[NavItem] = []


def register(
    label: str | Promise, url_name: str, visible: Callable[[Any], bool], *, group: Group = SYSTEM
) -> None:
    if all(item.url_name != url_name for item in _ITEMS):
        _ITEMS.append(NavItem(label, url_name, visible, group))


def items_for(user: AnyUser) -> list[dict]:
    """Every item the account may use, flat, in group order."""
    return [item for group in groups_for(user) for item in group["items"]]


def groups_for(user: AnyUser) -> list[dict]:
    """The navigation of this account: [{"key", "label", "items": [{"label", "url"}]}], only the
    groups with at least one item the account may use."""
    order = {key: i for i, (key, _label) in enumerate(GROUPS)}
    groups: dict[str, dict] = {}
    for item in _ITEMS:
        if not item.visible(user):
            continue
        key, label = item.group
        group = groups.setdefault(key, {"key": key, "label": label, "items": []})
        group["items"].append(
            {"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name}
        )
    return sorted(groups.values(), key=lambda g: order.get(g["key"], len(order)))

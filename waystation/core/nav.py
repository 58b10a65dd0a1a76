"""Staff navigation, contributed by each app in its AppConfig.ready(), each item shown by the
same `can_*(user)` rule of the app's access module that guards its page:

nav.register("驿站", "stations:staff_list", can_see_stations)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from waystation.accounts.access import AnyUser


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[Any], bool]


_ITEMS: list[NavItem] = []


def register(label: str, url_name: str, visible: Callable[[Any], bool]) -> None:
    if all(item.url_name != url_name for item in _ITEMS):
        _ITEMS.append(NavItem(label, url_name, visible))


def items_for(user: AnyUser) -> list[dict]:
    return [{"label": i.label, "url": reverse(i.url_name)} for i in _ITEMS if i.visible(user)]

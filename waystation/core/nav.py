"""Staff navigation, contributed by each app in its AppConfig.ready():

nav.register("驿站", "stations:staff_list", lambda scope: scope.is_staff)
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable


_ITEMS: list[NavItem] = []


def register(label: str, url_name: str, visible: Callable) -> None:
    if all(item.url_name != url_name for item in _ITEMS):
        _ITEMS.append(NavItem(label, url_name, visible))


def items_for(scope) -> list[dict]:
    return [{"label": i.label, "url": reverse(i.url_name)} for i in _ITEMS if i.visible(scope)]

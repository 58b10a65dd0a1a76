"""How the audit log names the cities, industries and platforms staff edit (core/audit_objects.py):
by their names; they have no page of their own to open."""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from waystation.accounts.access import AnyUser
from waystation.accounts.models import City, Industry, Platform
from waystation.core import audit_objects


def _all(model: type[Model]) -> Callable[[AnyUser], QuerySet]:
    """A visible(user) for rows any admin may name."""

    def visible(user: AnyUser) -> QuerySet:
        return model._default_manager.all()

    return visible


for object_type, model, name in (
    ("accounts.city", City, _("城市")),
    ("accounts.industry", Industry, _("行业")),
    ("accounts.platform", Platform, _("平台")),
):
    audit_objects.register(
        object_type, model, name=name, number_label=_("名称"), number="name", visible=_all(model)
    )

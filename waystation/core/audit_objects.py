"""The objects of the audit log by their business numbers (会员号, 案件号, 驿站编号), each a link
to its page where the viewer may see it.

`AuditLog` stores what it acted on as `object_type` (the model's `app_label.model_name`) and
`object_id` (its pk). Each app says, in its module `audit_objects.py` (found on first use, as
Django's admin finds `admin.py`), how its kinds read:

    audit_objects.register(
        "members.member", Member, name=_("会员"), number_label=_("会员号"),
        number="member_number", visible=members_visible_to, url_name="members:staff_detail",
    )

`number` may follow a relation ("claim__number": a payout reads as its claim's 案件号), and the
URL takes that number. The page asks one query per kind on it, whatever its number of rows:
the numbers of its objects, each with whether the viewer's own `visible(user)` holds it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.module_loading import autodiscover_modules

from waystation.accounts.access import AnyUser


@dataclass(frozen=True)
class ObjectKind:
    object_type: str
    model: type[Model]
    name: Any  # 会员
    number_label: Any  # 会员号
    number: str  # the field, or a path through relations, holding the business number
    visible: Callable[[AnyUser], QuerySet]
    url_name: str = ""  # reversed with the number; "" for a kind without a page


@dataclass(frozen=True)
class ObjectRef:
    """How one audit row's object reads: 会员号 CZ00000001, a link if the viewer may open it."""

    name: str
    number_label: str
    number: str
    url: str = ""


_KINDS: dict[str, ObjectKind] = {}
_found = False


def register(
    object_type: str,
    model: type[Model],
    *,
    name: Any,
    number_label: Any,
    number: str,
    visible: Callable[[AnyUser], QuerySet],
    url_name: str = "",
) -> None:
    _KINDS[object_type] = ObjectKind(
        object_type, model, name, number_label, number, visible, url_name
    )


def kinds() -> dict[str, ObjectKind]:
    global _found
    if not _found:
        autodiscover_modules("audit_objects")
        _found = True
    return _KINDS


def describe(rows: Iterable[Any], user: AnyUser) -> dict[tuple[str, str], ObjectRef]:
    """(object_type, object_id) → ObjectRef for the audit rows given, one query per kind."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        if row.object_id:
            wanted.setdefault(row.object_type, set()).add(row.object_id)
    out: dict[tuple[str, str], ObjectRef] = {}
    for object_type, ids in wanted.items():
        kind = kinds().get(object_type)
        pks = [i for i in ids if i.isdigit()]
        if kind is None or not pks:
            continue
        seen = kind.visible(user).filter(pk=OuterRef("pk"))
        found = (
            kind.model._default_manager.filter(pk__in=pks)
            .annotate(seen=Exists(seen))
            .values_list("pk", kind.number, "seen")
        )
        for pk, number, may_see in found:
            url = reverse(kind.url_name, args=[number]) if may_see and kind.url_name else ""
            out[(object_type, str(pk))] = ObjectRef(
                str(kind.name), str(kind.number_label), str(number), url
            )
    return out


def matching(text: str, object_type: str = "") -> Q:
    """The audit rows about the object a person typed: its business number (of any kind, or of
    the kind chosen) or the stored id itself."""
    q = Q(object_id=text)
    for kind in kinds().values():
        if object_type and kind.object_type != object_type:
            continue
        if kind.number == "pk" and not (text.isdigit() and len(text) < 19):
            continue  # a number kept as the pk: only digits that fit it can be one
        ids = (
            kind.model._default_manager.filter(**{kind.number: text})
            .annotate(as_text=Cast("pk", CharField()))
            .values("as_text")
        )
        q |= Q(object_type=kind.object_type, object_id__in=ids)
    return q

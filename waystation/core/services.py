"""Writes of core's own rows: the union's notices to riders."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from waystation.accounts.access import NotInScope, scope_of
from waystation.accounts.models import City

from .access import can_edit_notices
from .models import Notice


def _check(actor: Any, city: City) -> None:
    if not (can_edit_notices(actor) and scope_of(actor).sees_city(city.pk)):
        raise NotInScope


@transaction.atomic
def notice_save(
    *, actor: Any, city: City, title: str, body: str, published: bool, notice: Notice | None = None
) -> Notice:
    """Create a notice, or change one: union staff who see its city whole (before and after a
    change of city). Publishing stamps `published_at` the first time; it orders the home page."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": ["请填写标题"]})
    _check(actor, city)
    if notice is None:
        notice = Notice(created_by=actor)
    else:
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        _check(actor, notice.city)
    notice.city = city
    notice.title, notice.body, notice.published = title, body.strip(), published
    if published and notice.published_at is None:
        notice.published_at = timezone.now()
    notice.save()
    return notice

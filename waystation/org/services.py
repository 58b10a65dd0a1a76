"""Edits of the organisation's rows. Each checks its actor (org.access) itself, writes
everything or nothing, and leaves one audit row saying what changed."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.forms import BaseForm, BaseModelFormSet, ModelForm

from waystation.accounts.access import NotInScope
from waystation.accounts.cities import industry_union_ensure
from waystation.accounts.models import City, Industry
from waystation.privacy.audit import AuditAction, audit_record

from .access import can_administer_city, can_edit_vocabulary


def _changes(*parts: BaseForm | BaseModelFormSet) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for part in parts:
        forms = part.forms if isinstance(part, BaseModelFormSet) else [part]
        for form in forms:
            if form.has_changed():
                key = f"{form.instance._meta.model_name}:{form.instance.pk}"
                changed[key] = {name: str(form.cleaned_data[name]) for name in form.changed_data}
    return changed


def city_edit(
    *, actor: User, city: City, city_form: ModelForm, districts: BaseModelFormSet,
    units: BaseModelFormSet,
) -> dict[str, Any]:  # fmt: skip
    """Save a city administrator's edits of their city (forms already valid); returns what
    changed (nothing changed: nothing written, no audit row)."""
    if not can_administer_city(actor, city):
        raise NotInScope
    for part in (districts, units):
        for form in part.forms:
            if getattr(form.instance, "city_id", None) != city.pk:
                raise NotInScope  # a row of another city slipped into the post
    changed = _changes(city_form, districts, units)
    if not changed:
        return changed
    with transaction.atomic():
        city_form.save()
        districts.save()
        units.save()
        audit_record(
            action=AuditAction.ORG_EDIT, actor=actor, obj=city, detail={"changed": changed}
        )
    return changed


def vocabulary_edit(
    *, actor: User, industries: BaseModelFormSet, platforms: BaseModelFormSet
) -> dict[str, Any]:
    if not can_edit_vocabulary(actor):
        raise NotInScope
    changed = _changes(industries, platforms)
    if not changed:
        return changed
    with transaction.atomic():
        industries.save()
        platforms.save()
        audit_record(action=AuditAction.ORG_EDIT, actor=actor, detail={"changed": changed})
    return changed


def industry_add(*, actor: User, form: ModelForm) -> Industry:
    """A new industry; every city federation gets its industry union on it at once."""
    if not can_edit_vocabulary(actor):
        raise NotInScope
    with transaction.atomic():
        industry: Industry = form.save(commit=False)
        industry.order = (
            Industry.objects.order_by("-order").values_list("order", flat=True).first() or 0
        ) + 1
        industry.save()
        for city in City.objects.all():
            industry_union_ensure(city, industry)
        audit_record(
            action=AuditAction.ORG_EDIT, actor=actor, obj=industry, detail={"added": industry.code}
        )
    return industry


def platform_add(*, actor: User, form: ModelForm) -> None:
    if not can_edit_vocabulary(actor):
        raise NotInScope
    with transaction.atomic():
        platform = form.save()
        audit_record(
            action=AuditAction.ORG_EDIT, actor=actor, obj=platform, detail={"added": platform.code}
        )

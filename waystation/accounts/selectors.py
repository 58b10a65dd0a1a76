"""Reads of the organisation: the federation a deployment speaks for, the cities it serves."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .models import City, Province

FEDERATION_CACHE_KEY = "waystation:federation-name"


def federation_name() -> str:
    """The name the site speaks in: SITE_NAME if the operator set it; else the one city's
    federation, or the province's if every city lies in one province; else a neutral name."""
    if settings.SITE_NAME:
        return settings.SITE_NAME
    name = cache.get(FEDERATION_CACHE_KEY)
    if name is None:
        cities = list(
            City.objects.select_related("province").defer("boundary", "province__boundary")[:2]
        )
        provinces = set(City.objects.values_list("province_id", flat=True).distinct()[:2])
        if len(cities) == 1:
            name = cities[0].union_name
        elif cities and len(provinces) == 1 and cities[0].province is not None:
            name = cities[0].province.union_name
        else:
            name = _("工会驿站服务平台")
        cache.set(FEDERATION_CACHE_KEY, name, 60)
    return name


def cities() -> QuerySet[City]:
    return City.objects.select_related("province").order_by("adcode")


@receiver([post_save, post_delete], sender=City)
@receiver([post_save, post_delete], sender=Province)
def _federation_changed(**kwargs: object) -> None:
    cache.delete(FEDERATION_CACHE_KEY)

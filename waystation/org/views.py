"""Staff pages of the organisation: the cities an administrator runs, one city's rows, and the
national vocabulary."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from waystation.accounts.access import AuthenticatedHttpRequest, requires
from waystation.accounts.models import City, Industry, OrgUnit, Platform
from waystation.core.http import flash_errors

from . import services
from .access import can_administer_city, can_edit_vocabulary, can_open_org, cities_administered_by
from .forms import (
    CityForm,
    DistrictFormSet,
    IndustryAddForm,
    IndustryFormSet,
    PlatformAddForm,
    PlatformFormSet,
    UnitFormSet,
)


@requires(can_open_org)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    cities = cities_administered_by(request.user).select_related("province")
    return render(
        request,
        "org/index.html",
        {"cities": cities, "vocabulary": can_edit_vocabulary(request.user)},
    )


def _city_forms(request: AuthenticatedHttpRequest, city: City) -> tuple:
    data = request.POST if request.method == "POST" else None
    return (
        CityForm(data, instance=city, prefix="city"),
        DistrictFormSet(data, queryset=city.districts.all(), prefix="d"),
        UnitFormSet(
            data, queryset=OrgUnit.objects.filter(city=city).order_by("kind", "id"), prefix="u"
        ),
    )


@requires(can_open_org)
@require_http_methods(["GET", "POST"])
def city_page(request: AuthenticatedHttpRequest, adcode: str) -> HttpResponse:
    city = get_object_or_404(City, adcode=adcode)
    if not can_administer_city(request.user, city):
        raise Http404
    city_form, districts, units = _city_forms(request, city)
    if request.method == "POST":
        if city_form.is_valid() and districts.is_valid() and units.is_valid():
            changed = services.city_edit(
                actor=request.user, city=city, city_form=city_form, districts=districts, units=units
            )
            if changed:
                messages.success(request, _("已保存 %(n)d 处修改。") % {"n": len(changed)})
            else:
                messages.info(request, _("没有修改。"))
            return redirect("org:city", city.adcode)
        for part in (city_form, *districts.forms, *units.forms):
            if part.errors:
                flash_errors(request, part)
    return render(
        request,
        "org/city.html",
        {"city": city, "city_form": city_form, "districts": districts, "units": units},
    )


@requires(can_edit_vocabulary)
@require_http_methods(["GET", "POST"])
def vocabulary(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "edit")
    industries = IndustryFormSet(
        data if action == "edit" else None, queryset=Industry.objects.all(), prefix="i"
    )
    platforms = PlatformFormSet(
        data if action == "edit" else None, queryset=Platform.objects.all(), prefix="p"
    )
    add_industry = IndustryAddForm(data if action == "add_industry" else None, prefix="ni")
    add_platform = PlatformAddForm(data if action == "add_platform" else None, prefix="np")
    if request.method == "POST":
        if action == "edit" and industries.is_valid() and platforms.is_valid():
            changed = services.vocabulary_edit(
                actor=request.user, industries=industries, platforms=platforms
            )
            messages.success(request, _("已保存 %(n)d 处修改。") % {"n": len(changed)})
            return redirect("org:vocabulary")
        if action == "add_industry" and add_industry.is_valid():
            industry = services.industry_add(actor=request.user, form=add_industry)
            messages.success(
                request, _("已新增行业“%(name)s”，各城市已设行业工会。") % {"name": industry.name}
            )
            return redirect("org:vocabulary")
        if action == "add_platform" and add_platform.is_valid():
            services.platform_add(actor=request.user, form=add_platform)
            messages.success(request, _("已新增平台。"))
            return redirect("org:vocabulary")
        for part in (add_industry, add_platform, *industries.forms, *platforms.forms):
            if part.is_bound and part.errors:
                flash_errors(request, part)
    return render(
        request,
        "org/vocabulary.html",
        {
            "industries": industries,
            "platforms": platforms,
            "add_industry": add_industry,
            "add_platform": add_platform,
        },
    )

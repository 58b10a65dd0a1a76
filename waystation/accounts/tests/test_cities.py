"""Cities as tenants: city_add is idempotent, keeps admins' edits, and builds the union tree."""

from dataclasses import replace

import pytest
from django.test import Client

from waystation.accounts.cities import CitySeed, DistrictSeed, ProvinceSeed, city_add
from waystation.accounts.models import City, District, Industry, OrgUnit, Province
from waystation.accounts.selectors import federation_name

SQUARE = {"type": "Polygon", "coordinates": [[[120, 31], [120.1, 31], [120.1, 31.1], [120, 31]]]}


def seed(**kw):
    return CitySeed(
        adcode="320500",
        name="苏州市",
        province=ProvinceSeed(adcode="320000", name="江苏省"),
        boundary=None,
        districts=(
            DistrictSeed(code="320508", name="姑苏区", adcode="320508", boundary=None),
            DistrictSeed(code="320506", name="吴中区", adcode="320506", boundary=SQUARE),
        ),
        **kw,
    )


@pytest.mark.django_db
def test_a_new_city_gets_its_districts_unions_and_the_starting_industries():
    units = city_add(seed())
    city = City.objects.get(adcode="320500")
    assert (city.union_name, city.sms_signature) == ("苏州市总工会", "苏州工会")
    assert list(city.districts.values_list("code", "name")) == [
        ("320508", "姑苏区"),
        ("320506", "吴中区"),
    ]
    assert units["city"].code == "city-320500" and units["city"].city == city
    assert units["320508"].district_id == "320508" and units["320508"].name == "姑苏区总工会"
    industry_units = OrgUnit.objects.filter(city=city, kind=OrgUnit.Kind.INDUSTRY)
    assert industry_units.count() == Industry.objects.count() == 8
    assert units["express"].code == "express-320500"
    assert units["express"].name == "苏州市快递行业工会"
    assert units["city"].parent.kind == OrgUnit.Kind.PROVINCE
    assert units["city"].parent.province == Province.objects.get(adcode="320000")


@pytest.mark.django_db
def test_adding_a_city_twice_changes_nothing_and_keeps_edits():
    city_add(seed())
    District.objects.filter(code="320508").update(name="姑苏区（改）")
    before = (OrgUnit.objects.count(), District.objects.count(), City.objects.count())
    city_add(seed())
    assert (OrgUnit.objects.count(), District.objects.count(), City.objects.count()) == before
    assert District.objects.get(code="320508").name == "姑苏区（改）"


@pytest.mark.django_db
def test_a_missing_boundary_is_filled_in_by_a_later_run():
    city_add(seed())
    first = seed().districts[0]
    city_add(replace(seed(), boundary=SQUARE, districts=(replace(first, boundary=SQUARE),)))
    assert City.objects.get(adcode="320500").boundary == SQUARE
    assert District.objects.get(code="320508").boundary == SQUARE


@pytest.mark.django_db
def test_a_district_code_of_another_city_is_refused(orgs):
    clash = CitySeed(
        adcode="320500",
        name="苏州市",
        province=None,
        boundary=None,
        districts=(DistrictSeed(code="tianning", name="天宁区", adcode="320402", boundary=None),),
    )
    with pytest.raises(ValueError, match="another city"):
        city_add(clash)
    assert not City.objects.filter(adcode="320500").exists()  # all or nothing


@pytest.mark.django_db
def test_the_site_speaks_for_its_city_then_for_the_province_once_there_are_two(orgs, settings):
    settings.SITE_NAME = ""
    assert federation_name() == "常州市总工会"
    city_add(seed())
    assert federation_name() == "江苏省总工会"
    assert "江苏省总工会" in Client().get("/").content.decode()
    settings.SITE_NAME = "某某总工会"
    assert federation_name() == "某某总工会"

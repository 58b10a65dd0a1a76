"""`manage.py add_city`: any city from the shipped boundary dataset, with no code change."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from waystation.accounts import geography
from waystation.accounts.models import City, District, OrgUnit, Province
from waystation.privacy.models import AuditAction, AuditLog

WUXI = {
    "320205": "锡山区",
    "320206": "惠山区",
    "320211": "滨湖区",
    "320213": "梁溪区",
    "320214": "新吴区",
    "320281": "江阴市",
    "320282": "宜兴市",
}


def add_city(*args):
    out = StringIO()
    call_command("add_city", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_wuxi_is_added_beside_changzhou_with_its_real_districts_and_unions(orgs):
    out = add_city("320200")
    city = City.objects.get(adcode="320200")
    assert (city.name, city.union_name, city.province.name) == ("无锡市", "无锡市总工会", "江苏省")
    districts = {d.code: d for d in District.objects.filter(city=city)}
    assert {c: d.name for c, d in districts.items()} == WUXI
    assert all(d.boundary["type"] in ("Polygon", "MultiPolygon") for d in districts.values())
    assert city.boundary is not None and city.province.boundary is not None
    assert OrgUnit.objects.filter(city=city).count() == 1 + 7 + 8
    # the province federation sits above both cities
    province_unit = OrgUnit.objects.get(kind=OrgUnit.Kind.PROVINCE, province=city.province)
    assert OrgUnit.objects.get(code="city-320200").parent == province_unit
    assert orgs["city"].parent == province_unit
    assert "320200 无锡市: 已创建 · 7 个区县（7 个有边界）· 16 个工会" in out
    audit = AuditLog.objects.get(action=AuditAction.ORG_CITY_ADD)
    assert audit.object_id == str(city.pk) and audit.detail["districts"] == 7


@pytest.mark.django_db
def test_adding_it_again_changes_nothing():
    add_city("320200")
    before = (City.objects.count(), District.objects.count(), OrgUnit.objects.count())
    out = add_city("320200")
    assert (City.objects.count(), District.objects.count(), OrgUnit.objects.count()) == before
    assert "已存在，已补全" in out
    assert AuditLog.objects.filter(action=AuditAction.ORG_CITY_ADD).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("32020",), "6 位数字"),
        (("320000",), "是省级行政区"),
        (("320213",), "是县级行政区"),
        (("999900",), "未知行政区划代码"),
        ((), "give a city adcode"),
    ],
)
def test_a_bad_adcode_is_refused_before_anything_is_written(args, message):
    before = City.objects.count()
    with pytest.raises(CommandError, match=message):
        add_city("320500", *args) if args else add_city()
    assert City.objects.count() == before  # 苏州 (valid, first) not added either


@pytest.mark.django_db
def test_a_whole_province_adds_its_thirteen_cities_under_one_federation():
    add_city("--province", "320000")
    jiangsu = Province.objects.get(adcode="320000")
    assert jiangsu.cities.count() == 13
    assert District.objects.filter(city__province=jiangsu, boundary__isnull=False).count() >= 95
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.PROVINCE).count() == 1


@pytest.mark.django_db
def test_a_point_is_placed_in_its_district_whichever_city_runs_it(orgs):
    add_city("320200")
    wuxi = City.objects.get(adcode="320200")
    # 无锡 城中 (梁溪区) and 常州 红梅公园 (天宁区), WGS-84
    assert geography.district_at(120.296, 31.574).code == "320213"
    assert geography.district_at(119.975, 31.790).code == "tianning"
    assert geography.district_at(119.975, 31.790, cities=[wuxi]) is None
    assert geography.district_at(121.47, 31.23) is None  # 上海: no city of ours
    names = {f["properties"]["name"] for f in geography.city_geojson(wuxi)["features"]}
    assert names == set(WUXI.values())


@pytest.mark.django_db
def test_the_boundaries_follow_the_rows(orgs):
    first = geography.boundaries([orgs["city"].city_id])
    assert geography.boundaries([orgs["city"].city_id]) is first  # cached
    District.objects.filter(code="liyang").update(boundary=None)
    again = geography.boundaries([orgs["city"].city_id])
    assert again is not first and "liyang" not in {u.key for u in again.units}
    assert {u.key for u in first.units} - {u.key for u in again.units} == {"liyang"}

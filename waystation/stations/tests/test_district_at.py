"""A station's district comes from its location, matched to the District rows of its city: a zone
without a boundary of its own (经开区) may be chosen inside the unit that holds it, and the
messages name the city from its row."""

import pytest
from django.core.exceptions import ValidationError

from waystation.accounts.models import City, District
from waystation.stations import services
from waystation.stations.models import Station

WUJIN = (120.05, 31.7)
TIANNING = (119.99, 31.78)


def create(people, code, point, **data):
    data.setdefault("name", f"驿站{code}")
    return services.station_create(
        code=code, lon=point[0], lat=point[1], data=data, actor=people.admin
    )


def test_the_district_is_the_one_the_location_lies_in(people):
    assert create(people, "WJ001", WUJIN).district_id == "wujin"
    assert create(people, "TN001", TIANNING).district_id == "tianning"


def test_a_zone_may_be_chosen_inside_the_unit_holding_it_and_nowhere_else(people):
    assert create(people, "JK001", WUJIN, district="jingkai").district_id == "jingkai"
    with pytest.raises(ValidationError) as err:
        create(people, "JK002", TIANNING, district="jingkai")
    assert err.value.message_dict["district"] == [
        "位置在天宁区，与所选区域不符 (district mismatch)"
    ]


def test_where_a_zone_lies_is_data_not_code(people):
    District.objects.filter(code="jingkai").update(adcode="320402")  # now inside 天宁区
    assert create(people, "JK001", TIANNING, district="jingkai").district_id == "jingkai"
    with pytest.raises(ValidationError):
        create(people, "JK002", WUJIN, district="jingkai")


def test_a_location_outside_the_city_is_refused_naming_the_city_from_its_row(people):
    City.objects.filter(adcode="320400").update(name="龙城市")
    with pytest.raises(ValidationError) as err:
        create(people, "XX001", (116.4, 39.9))
    assert err.value.message_dict["lon"] == ["位置不在龙城市范围内 (location is outside the city)"]
    assert not Station.objects.exists()


def test_staff_of_two_cities_choose_the_district_of_a_new_station(wuxi_people):
    with pytest.raises(ValidationError) as err:
        services.station_create(
            code="TN001", lon=TIANNING[0], lat=TIANNING[1], data={"name": "甲"},
            actor=wuxi_people.pam,
        )  # fmt: skip
    assert "district" in err.value.message_dict
    station = services.station_create(
        code="TN001", lon=TIANNING[0], lat=TIANNING[1],
        data={"name": "甲", "district": "tianning"}, actor=wuxi_people.pam,
    )  # fmt: skip
    assert (station.city.adcode, station.district_id) == ("320400", "tianning")

import pytest

from waystation.stations import services

DAILY = [[["08:00", "20:00"]]] * 7
TIANNING = (119.99, 31.78)
ZHONGLOU = (119.94, 31.76)


def city_of(district: str) -> int:
    """The id of a district's city, for rows written in bulk (bulk_create calls no save())."""
    from waystation.accounts.models import District

    return District.objects.values_list("city_id", flat=True).get(code=district)


@pytest.fixture(autouse=True)
def _index_checks_every_query(settings):
    # Tests roll back their writes: the index must re-read the registry stamp on every query.
    settings.STATIONS_INDEX_CHECK_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_map_layer():
    # A rolled-back test can leave the registry stamp as it found it: start with no entries.
    from waystation.stations import layer

    layer.cache_clear()


@pytest.fixture
def make_station(people):
    """A station registered by the city administrator (union staff over every district)."""

    def make(code="TN001", lon=TIANNING[0], lat=TIANNING[1], **data):
        data.setdefault("name", f"驿站{code}")
        data.setdefault("weekly_hours", DAILY)
        data.setdefault("services", ["water", "rest"])
        return services.station_create(code=code, lon=lon, lat=lat, data=data, actor=people.admin)

    return make


@pytest.fixture
def member(orgs):
    """张三, a food-delivery rider and member."""
    from waystation.members.models import Member
    from waystation.members.services import member_fields

    return Member.objects.create(
        member_number="CZ00000001",
        **member_fields(name="张三", id_number="320402199001011234", phone="13800001111"),
        industry_id="food_delivery",
        work_district_id="tianning",
        union=orgs["food_delivery"],
        channel=Member.Channel.SCAN,
    )


@pytest.fixture
def keeper(people, orgs, make_station):
    """Kim keeps one 天宁 station (TN001); TN002 next door is not hers."""
    from django.contrib.auth import get_user_model

    from waystation.accounts.models import StaffRole

    user = get_user_model().objects.create_user("kim", password="pw-kim")
    StaffRole.objects.create(user=user, role=StaffRole.Role.STATION_KEEPER, unit=orgs["tianning"])
    mine = make_station("TN001")
    make_station("TN002", lon=120.0, lat=31.77)
    mine.keepers.add(user)
    return user

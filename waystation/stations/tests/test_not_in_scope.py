"""The station services decide who may change a station, whoever calls them: union staff over
its district every field, its keepers hours and services, anybody else nothing (NotInScope).
Pages answer 404 for a station out of scope, never 403, never 500."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from waystation.accounts.access import NotInScope
from waystation.stations import services
from waystation.stations.models import Station

ZHONGLOU = (119.94, 31.76)


def test_staff_of_another_district_cannot_update_a_station(people, make_station):
    station = make_station("TN001")
    with pytest.raises(NotInScope):
        services.station_update(station=station, data={"name": "改名"}, actor=people.charlie)
    assert Station.objects.get(code="TN001").name == "驿站TN001"


def test_a_keeper_cannot_update_a_station_she_does_not_keep(keeper):
    with pytest.raises(NotInScope):
        services.station_update(
            station=Station.objects.get(code="TN002"), data={"capacity": 3}, actor=keeper
        )


def test_the_keeper_limit_comes_from_the_actor_not_the_caller(keeper, people):
    """The same change: refused to the keeper, done for the union staff over the station."""
    station = Station.objects.get(code="TN001")
    with pytest.raises(ValidationError):
        services.station_update(station=station, data={"name": "新名字"}, actor=keeper)
    services.station_update(station=station, data={"name": "新名字"}, actor=people.alice)
    assert Station.objects.get(code="TN001").name == "新名字"


def test_photos_posters_and_faults_of_a_station_not_kept_are_refused(keeper):
    other = Station.objects.get(code="TN002")
    with pytest.raises(NotInScope):
        services.station_poster_reissue(station=other, actor=keeper)
    with pytest.raises(NotInScope):
        services.photo_add(station=other, upload=SimpleUploadedFile("a.png", b"x"), actor=keeper)
    report = services.report_create(station=other, category="water")
    with pytest.raises(NotInScope):
        services.report_transition(report=report, to="resolved", actor=keeper)
    assert Station.objects.get(code="TN002").poster_version == other.poster_version


def test_editing_a_station_out_of_scope_answers_the_404_page(people, make_station, as_user):
    make_station("ZL001", lon=ZHONGLOU[0], lat=ZHONGLOU[1])
    r = as_user(people.alice).post("/staff/stations/ZL001/edit/", {"name": "改名"})
    assert r.status_code == 404 and "找不到这个页面" in r.content.decode()
    assert Station.objects.get(code="ZL001").name == "驿站ZL001"

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


def test_a_closure_of_a_station_not_kept_is_refused_by_the_service(keeper, people):
    """The keeper of TN001, and 钟楼's union staff, may not close 天宁's TN002."""
    from datetime import date

    other = Station.objects.get(code="TN002")
    for actor in (keeper, people.charlie, people.dora, people.lily, people.olga, None):
        with pytest.raises(NotInScope):
            services.exception_add(
                station=other, start_date=date(2026, 10, 1), end_date=date(2026, 10, 1),
                reason="国庆", actor=actor,
            )  # fmt: skip
    assert not other.exceptions.exists()


def test_a_closure_is_deleted_only_by_someone_who_keeps_the_station(keeper, people):
    from datetime import date

    other = Station.objects.get(code="TN002")
    closure = services.exception_add(
        station=other, start_date=date(2026, 10, 1), end_date=date(2026, 10, 1), actor=people.bob
    )
    for actor in (keeper, people.charlie, people.olga):
        with pytest.raises(NotInScope):
            services.exception_delete(exception=closure, actor=actor)
    services.exception_delete(exception=closure, actor=people.alice)
    assert not other.exceptions.exists()


def test_closures_of_a_station_out_of_scope_answer_the_404_page(keeper, people, as_user):
    from datetime import date

    other = Station.objects.get(code="TN002")
    closure = services.exception_add(
        station=other, start_date=date(2026, 10, 1), end_date=date(2026, 10, 1), actor=people.alice
    )
    for user in (keeper, people.charlie):
        added = as_user(user).post(
            "/staff/stations/TN002/exceptions/",
            {"start_date": "2026-10-02", "end_date": "2026-10-02", "closed": "on"},
        )
        deleted = as_user(user).post(f"/staff/stations/TN002/exceptions/{closure.pk}/delete/")
        assert (added.status_code, deleted.status_code) == (404, 404)
        assert "找不到这个页面" in deleted.content.decode()
    assert list(other.exceptions.all()) == [closure]


def test_staff_of_another_district_cannot_register_a_station_there(people):
    """A station at 钟楼's coordinates, registered by 天宁's, the industry union's or a keeper."""
    for actor in (people.alice, people.dora, people.lily, people.olga):
        with pytest.raises(NotInScope):
            services.station_create(
                code="ZL001", lon=ZHONGLOU[0], lat=ZHONGLOU[1], data={"name": "钟楼"}, actor=actor
            )
    assert not Station.objects.exists()
    services.station_create(
        code="ZL001", lon=ZHONGLOU[0], lat=ZHONGLOU[1], data={"name": "钟楼"}, actor=people.charlie
    )
    assert Station.objects.get().district_id == "zhonglou"

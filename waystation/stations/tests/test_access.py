import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waystation.stations import checkins, services
from waystation.stations.access import stations_visible_to
from waystation.stations.codes import poster_code
from waystation.stations.models import Station


def test_district_staff_see_the_stations_of_their_district_only(people, make_station):
    make_station("TN001")
    make_station("ZL001", lon=119.94, lat=31.76)
    assert [s.code for s in stations_visible_to(people.alice)] == ["TN001"]
    assert [s.code for s in stations_visible_to(people.charlie)] == ["ZL001"]
    assert stations_visible_to(people.carl).count() == 2
    assert stations_visible_to(people.dora).count() == 0
    assert stations_visible_to(people.olga).count() == 0


def test_district_staff_cannot_open_another_districts_station(as_user, people, make_station):
    make_station("ZL001", lon=119.94, lat=31.76)
    assert as_user(people.alice).get("/staff/stations/ZL001/").status_code == 404
    assert as_user(people.charlie).get("/staff/stations/ZL001/").status_code == 200


def test_keeper_sees_only_the_station_they_keep(as_user, keeper):
    c = as_user(keeper)
    assert c.get("/staff/stations/TN001/").status_code == 200
    assert c.get("/staff/stations/TN002/").status_code == 404
    assert c.get("/staff/stations/TN002/edit/").status_code == 404


def test_keepers_list_page_is_their_station(as_user, keeper):
    resp = as_user(keeper).get("/staff/stations/")
    assert resp.status_code == 302
    assert resp["Location"] == "/staff/stations/TN001/"


def test_keeper_changes_hours_and_services(as_user, keeper):
    resp = as_user(keeper).post(
        "/staff/stations/TN001/edit/",
        {
            "status": "open",
            "capacity": "12",
            "services": ["water", "charging"],
            "weekly_text": "\n".join(["09:00-18:00"] * 5 + ["", ""]),
        },
    )
    assert resp.status_code == 302
    station = Station.objects.get(code="TN001")
    assert station.services == ["water", "charging"]
    assert station.weekly_hours[5] == []


def test_keeper_cannot_rename_or_move_a_station(keeper):
    station = Station.objects.get(code="TN001")
    with pytest.raises(ValidationError):
        services.station_update(station=station, data={"name": "新名字"}, actor=keeper)
    with pytest.raises(ValidationError):
        services.station_update(station=station, data={"status": "closed"}, actor=keeper)


def test_keeper_edit_form_ignores_fields_beyond_their_role(as_user, keeper):
    as_user(keeper).post(
        "/staff/stations/TN001/edit/",
        {"status": "temp_closed", "capacity": "5", "name": "新名字", "weekly_text": ""},
    )
    station = Station.objects.get(code="TN001")
    assert station.status == "temp_closed"
    assert station.name == "驿站TN001"


def test_staff_add_a_holiday_closure(as_user, people, make_station):
    make_station("TN001")
    resp = as_user(people.alice).post(
        "/staff/stations/TN001/exceptions/",
        {"start_date": "2026-10-01", "end_date": "2026-10-03", "closed": "on", "reason": "国庆"},
    )
    assert resp.status_code == 302
    assert Station.objects.get(code="TN001").exceptions.get().reason == "国庆"


def test_outsider_gets_404_and_anonymous_the_login_page(client, as_user, people, make_station):
    make_station("TN001")
    assert as_user(people.olga).get("/staff/stations/").status_code == 404
    assert client.get("/staff/stations/").status_code == 302


def test_staff_moving_a_station_in_gcj02_stores_wgs84(people, make_station):
    from waystation.geo.datums import wgs84_to_gcj02
    from waystation.geo.distance import haversine_m

    station = make_station("TN001")
    glon, glat = wgs84_to_gcj02(120.0, 31.77)
    services.station_update(
        station=station, data={}, actor=people.alice, lon=glon, lat=glat, datum="gcj02"
    )
    station.refresh_from_db()
    assert haversine_m(station.lon, station.lat, 120.0, 31.77) < 0.5


def test_station_outside_changzhou_is_refused(make_station):
    with pytest.raises(ValidationError):
        make_station("XX001", lon=116.4, lat=39.9)


def test_station_list_takes_the_same_number_of_queries_for_3_and_30_stations(
    as_user, people, make_station
):
    c = as_user(people.carl)
    for i in range(3):
        make_station(f"TN{i:03d}")
    with CaptureQueriesContext(connection) as few:
        assert c.get("/staff/stations/").status_code == 200
    for i in range(3, 30):
        make_station(f"TN{i:03d}")
    with CaptureQueriesContext(connection) as many:
        html = c.get("/staff/stations/").content.decode()
    assert len(many) == len(few)
    assert all(f'">TN{i:03d}</a>' in html for i in range(30))


def test_report_list_takes_constant_queries(as_user, people, make_station):
    c = as_user(people.carl)
    station = make_station("TN001")
    reports = [services.report_create(station=station, category="water")]
    with CaptureQueriesContext(connection) as few:
        assert c.get("/staff/stations/reports/").status_code == 200
    for _ in range(10):
        reports.append(services.report_create(station=station, category="water"))
    with CaptureQueriesContext(connection) as many:
        html = c.get("/staff/stations/reports/").content.decode()
    assert len(many) == len(few)
    assert all(f'href="/staff/stations/reports/{r.pk}/"' in html for r in reports)


def test_station_detail_shows_visits_and_open_faults(as_user, people, make_station):
    station = make_station("TN001")
    checkins.checkin_record(station=station, poster_code=poster_code(station), industry="express")
    services.report_create(station=station, category="water", text="没有热水")
    html = as_user(people.alice).get("/staff/stations/TN001/").content.decode()
    assert "没有热水" in html
    assert "共 1 次" in html


def test_poster_pdf_and_png_carry_the_checkin_url(as_user, people, make_station):
    make_station("TN001")
    c = as_user(people.alice)
    pdf = c.get("/staff/stations/TN001/poster.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    png = c.get("/staff/stations/TN001/poster.png")
    assert png.content.startswith(b"\x89PNG")

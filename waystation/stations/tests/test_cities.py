"""Two cities: staff of one never reach the other's stations, by list or by code, on any staff
page (404, as for a station that does not exist); province staff see both. Every row of a
station carries the station's city, however it is written."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from waystation.accounts.access import NotInScope
from waystation.accounts.models import City
from waystation.stations import checkins, services
from waystation.stations.codes import poster_code
from waystation.stations.models import FaultReport, Station, StationException, StationPhoto, Visit

from .conftest import DAILY
from .test_reports import png_bytes

WUXI_POINT = (120.3, 31.57)  # no boundaries are loaded for the test's 无锡: rows are made directly


def photo():
    return SimpleUploadedFile("p.png", png_bytes(), "image/png")


@pytest.fixture
def two_cities(people, wuxi_people, make_station):
    """TN001 in 天宁 (Changzhou) and WX001 in 梁溪 (无锡), each with a closure, a photo and a
    fault report with a photo, made through the services by staff of their own city."""
    tn = make_station("TN001")
    wx = Station.objects.create(
        code="WX001", name="梁溪驿站", district_id="320213", lon=WUXI_POINT[0], lat=WUXI_POINT[1],
        weekly_hours=DAILY,
    )  # fmt: skip
    rows = {}
    for station, actor in ((tn, people.alice), (wx, wuxi_people.wes)):
        rows[station.code] = {
            "exception": services.exception_add(
                station=station,
                start_date=date(2026, 10, 1),
                end_date=date(2026, 10, 3),
                actor=actor,
            ),
            "photo": services.photo_add(station=station, upload=photo(), actor=actor),
            "report": services.report_create(station=station, category="water", photo=photo()),
        }
    return rows


def urls(code, rows):
    r = rows[code]
    return [
        f"/staff/stations/{code}/",
        f"/staff/stations/{code}/edit/",
        f"/staff/stations/{code}/poster.png",
        f"/staff/stations/{code}/poster.pdf",
        f"/staff/stations/reports/{r['report'].pk}/",
        f"/staff/stations/reports/{r['report'].pk}/photo",
    ]


def posts(code, rows):
    r = rows[code]
    return [
        (f"/staff/stations/{code}/edit/", {"name": "改名", "status": "closed", "capacity": "1"}),
        (
            f"/staff/stations/{code}/exceptions/",
            {"start_date": "2026-11-01", "end_date": "2026-11-01", "closed": "on"},
        ),
        (f"/staff/stations/{code}/exceptions/{r['exception'].pk}/delete/", {}),
        (f"/staff/stations/{code}/photos/", {"photo": photo()}),
        (f"/staff/stations/{code}/photos/{r['photo'].pk}/delete/", {}),
        (f"/staff/stations/{code}/poster/reissue/", {}),
        (f"/staff/stations/reports/{r['report'].pk}/", {"to": "resolved"}),
    ]


def state(code):
    s = Station.objects.get(code=code)
    return (
        s.name,
        s.status,
        s.poster_version,
        s.exceptions.count(),
        s.photos.count(),
        list(s.reports.values_list("status", flat=True)),
    )


def got(client, pages):
    return {u: client.get(u).status_code for u in pages}


def posted(client, steps):
    return {u: client.post(u, data).status_code for u, data in steps}


def test_staff_of_wuxi_get_404_on_every_page_of_a_changzhou_station(
    two_cities, wuxi_people, as_user
):
    before = state("TN001")
    theirs, ours = urls("WX001", two_cities), urls("TN001", two_cities)
    steps = posts("TN001", two_cities)
    for name in ("wanda", "wade", "wes"):
        c = as_user(wuxi_people[name])
        assert got(c, ours) == dict.fromkeys(ours, 404), name
        assert got(c, theirs) == dict.fromkeys(theirs, 200), name
        assert posted(c, steps) == dict.fromkeys((u for u, _ in steps), 404), name
    assert state("TN001") == before


def test_changzhou_staff_get_404_on_every_page_of_a_wuxi_station(two_cities, people, as_user):
    before = state("WX001")
    theirs, steps = urls("WX001", two_cities), posts("WX001", two_cities)
    for name in ("carl", "admin", "alice"):
        c = as_user(people[name])
        assert got(c, theirs) == dict.fromkeys(theirs, 404), name
        assert posted(c, steps) == dict.fromkeys((u for u, _ in steps), 404), name
    assert state("WX001") == before


def test_province_staff_see_the_stations_of_both_cities(two_cities, wuxi_people, as_user):
    every = urls("TN001", two_cities) + urls("WX001", two_cities)
    assert got(as_user(wuxi_people.pam), every) == dict.fromkeys(every, 200)


def codes_listed(client, url="/staff/stations/"):
    html = client.get(url).content.decode()
    return {code for code in ("TN001", "WX001") if f">{code}<" in html}


def exported(client):
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(client.get("/staff/stations/export.xlsx").content)
    )
    return {row[0] for row in book.get_sheet_by_index(0).to_python()[1:]}


def test_lists_reports_and_exports_keep_to_the_cities_in_scope(
    two_cities, people, wuxi_people, as_user
):
    seen = {}
    for user in (people.carl, people.alice, wuxi_people.wanda, wuxi_people.wes, wuxi_people.pam):
        c = as_user(user)
        reports_page = c.get("/staff/stations/reports/").content.decode()
        seen[user.username] = (
            codes_listed(c),
            exported(c),
            {code for code in ("TN001", "WX001") if code in reports_page},
        )
    cz, wx, both = {"TN001"}, {"WX001"}, {"TN001", "WX001"}
    assert seen == {
        "carl": (cz, cz, cz),
        "alice": (cz, cz, cz),
        "wanda": (wx, wx, wx),
        "wes": (wx, wx, wx),
        "pam": (both, both, both),
    }


def test_the_district_filter_offers_the_districts_of_the_users_cities(
    two_cities, people, wuxi_people, as_user
):
    carl = as_user(people.carl).get("/staff/stations/").content.decode()
    wanda = as_user(wuxi_people.wanda).get("/staff/stations/").content.decode()
    assert 'value="tianning"' in carl and 'value="320213"' not in carl
    assert 'value="320213"' in wanda and 'value="tianning"' not in wanda
    # a district code of another city filters to nothing, it does not widen the scope
    assert codes_listed(as_user(people.carl), "/staff/stations/?district=320213") == set()


def test_the_edit_form_offers_the_districts_of_the_stations_city_only(
    two_cities, wuxi_people, as_user
):
    html = as_user(wuxi_people.pam).get("/staff/stations/WX001/edit/").content.decode()
    assert 'value="320213"' in html and 'value="320205"' in html
    assert 'value="tianning"' not in html


def test_changzhou_staff_cannot_register_a_station_in_a_wuxi_district(people, wuxi):
    for actor in (people.alice, people.carl, people.admin):
        with pytest.raises(NotInScope):
            services.station_create(
                code="WX009", lon=WUXI_POINT[0], lat=WUXI_POINT[1],
                data={"name": "越界", "district": "320213"}, actor=actor,
            )  # fmt: skip
    assert not Station.objects.exists()


def test_a_station_cannot_be_moved_into_another_citys_district(two_cities, people):
    station = Station.objects.get(code="TN001")
    with pytest.raises(ValidationError) as err:
        services.station_update(station=station, data={"district": "320213"}, actor=people.admin)
    assert "district" in err.value.message_dict
    assert Station.objects.get(code="TN001").district_id == "tianning"


def test_every_row_of_a_station_carries_the_stations_city(two_cities, people, wuxi):
    changzhou = City.objects.get(adcode="320400")
    wuxi_city = wuxi["city"].city
    for code in ("TN001", "WX001"):
        checkins.checkin_record(
            station=Station.objects.get(code=code),
            poster_code=poster_code(Station.objects.get(code=code)),
        )
    expected = {"TN001": changzhou.pk, "WX001": wuxi_city.pk}
    assert dict(Station.objects.values_list("code", "city_id")) == expected
    for model in (StationException, StationPhoto, FaultReport, Visit):
        assert dict(model.objects.values_list("station__code", "city_id")) == expected, model


def test_rows_made_without_a_city_take_their_stations(wuxi):
    station = Station.objects.create(
        code="WX002", name="锡山驿站", district_id="320205", lon=120.4, lat=31.6
    )
    visit = Visit.objects.create(station_id=station.pk)  # the station not loaded: one read
    assert station.city_id == visit.city_id == wuxi["city"].city_id


def test_a_rider_near_the_border_is_sent_to_the_nearest_station_whichever_city_runs_it(
    client, make_station, wuxi
):
    from waystation.accounts.geography import district_at

    rider = (120.13, 31.7)  # in 武进区, 1.5 km from the border with 无锡
    make_station("WJ001", lon=120.10, lat=31.7)  # Changzhou's nearest, 2.8 km west
    Station.objects.create(
        code="WX003", name="边界驿站", district_id="320213", lon=120.16, lat=31.7, is_24h=True
    )
    assert district_at(*rider).code == "wujin" and district_at(120.16, 31.7) is None
    hits = client.get(f"/api/v1/stations/nearest?lon={rider[0]}&lat={rider[1]}&limit=2").json()
    assert [h["code"] for h in hits] == ["WX003", "WJ001"]
    layer = client.get("/api/v1/stations").json()
    assert {f["properties"]["code"] for f in layer["features"]} == {"WJ001", "WX003"}
    assert "无锡市梁溪区" in client.get("/stations/WX003/").content.decode()
    assert (
        client.get("/api/v1/stations?district=320213").json()["features"][0]["properties"]["code"]
        == "WX003"
    )

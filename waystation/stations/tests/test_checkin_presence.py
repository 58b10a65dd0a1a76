"""A check-in counts only from the station's own poster code, or from a location near it.

TN001 stands at 119.99, 31.78 (WGS-84); TN002 is 1 km away.
"""

import pytest

from waystation.members.cards import card_token
from waystation.members.middleware import SESSION_KEY
from waystation.stations import checkins, services
from waystation.stations.codes import poster_code, poster_code_check
from waystation.stations.models import Visit
from waystation.stations.posters import checkin_url

URL = "/api/v1/stations/TN001/checkins"
NEAR = {"lon": 119.991, "lat": 31.781}  # 146 m from TN001
AT_283_M = {"lon": 119.993, "lat": 31.78}
SUZHOU = {"lon": 120.62, "lat": 31.78}  # 59.6 km east


@pytest.fixture
def here(make_station):
    make_station("TN002", lon=120.0, lat=31.775)
    return make_station("TN001")


def api(client, **body):
    return client.post(URL, body, content_type="application/json")


# --- the poster's code -------------------------------------------------------------------------


def test_the_code_of_the_stations_own_poster_counts(client, here):
    resp = api(client, poster_code=poster_code(here))
    assert resp.status_code == 201
    body = resp.json()
    assert (body["counted"], body["reason"], body["message"]) == (True, "", "签到成功")
    assert Visit.objects.get().proof == Visit.Proof.CODE


def test_the_code_of_another_stations_poster_does_not_count(client, here, make_station):
    other = make_station("ZL001", lon=119.94, lat=31.76, name="钟楼")
    resp = api(client, poster_code=poster_code(other))
    assert resp.status_code == 200
    body = resp.json()
    assert (body["counted"], body["visit_id"], body["reason"]) == (False, None, "code_invalid")
    assert body["message"] == "二维码无效，请扫描驿站现场的二维码签到"
    assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    "forged",
    ["1", "1:", "2:AAAA", "1:" + "x" * 43, "TN001", "x" * 5000],
    ids=["bare", "empty-signature", "short", "wrong-signature", "station-code", "huge"],
)
def test_a_forged_code_does_not_count(client, here, forged):
    resp = api(client, poster_code=forged)
    assert (resp.status_code, resp.json()["reason"]) == (200, "code_invalid")
    assert Visit.objects.count() == 0


def test_a_code_signed_for_a_version_the_station_never_had_does_not_count(here):
    here.poster_version = 7
    future = poster_code(here)
    here.poster_version = 1
    assert poster_code_check(here, future) == "retired"
    assert not checkins.checkin_record(station=here, poster_code=future).counted


def test_reissuing_the_poster_retires_the_old_code(client, here, people):
    old = poster_code(here)
    services.station_poster_reissue(station=here, actor=people.alice)
    resp = api(client, poster_code=old)
    assert (resp.status_code, resp.json()["reason"]) == (200, "code_retired")
    assert resp.json()["message"] == "该二维码已停用，请扫描驿站现场的新二维码签到"
    here.refresh_from_db()
    assert here.poster_version == 2
    assert api(client, poster_code=poster_code(here)).status_code == 201


def test_the_poster_qr_carries_the_current_code(here):
    assert checkin_url(here).endswith(f"/stations/TN001/checkin/?poster_code={poster_code(here)}")
    assert checkin_url(here, with_code=False).endswith("/stations/TN001/checkin/")


def test_a_valid_code_counts_whatever_the_location_says(client, here):
    # indoors a phone can be far off; the poster on the wall is the stronger proof
    resp = api(client, poster_code=poster_code(here), **SUZHOU)
    assert resp.status_code == 201
    assert Visit.objects.get().proof == Visit.Proof.CODE


# --- the phone's location ----------------------------------------------------------------------


def test_a_location_near_the_station_counts(client, here):
    resp = api(client, **NEAR)
    assert resp.status_code == 201
    assert resp.json()["distance_m"] == 146
    assert Visit.objects.get().proof == Visit.Proof.LOCATION


def test_a_location_60_km_away_does_not_count_and_says_how_far(client, here):
    resp = api(client, **SUZHOU)
    assert resp.status_code == 200
    body = resp.json()
    assert (body["counted"], body["reason"], body["distance_m"]) == (False, "far", 59550)
    assert body["message"] == "您距离该驿站约 60 公里，未计入到站次数"
    assert Visit.objects.count() == 0


def test_a_far_location_with_another_stations_code_does_not_count(client, here, make_station):
    other = make_station("ZL001", lon=119.94, lat=31.76, name="钟楼")
    resp = api(client, poster_code=poster_code(other), **SUZHOU)
    assert resp.json()["reason"] == "far"
    assert Visit.objects.count() == 0


def test_the_distance_allowed_is_a_setting(client, here, settings):
    assert api(client, **AT_283_M).status_code == 201
    Visit.objects.all().delete()
    settings.CHECKIN_MAX_DISTANCE_M = 250
    body = api(client, **AT_283_M).json()
    assert body["message"] == "您距离该驿站约 280 米，未计入到站次数"


def test_a_gcj02_location_is_converted_before_measuring(client, here):
    # the station's own spot as Amap (GCJ-02) reports it: 504 m off if taken as WGS-84
    gcj = {"lon": 119.9947869, "lat": 31.7780103}
    assert api(client, **gcj).json()["reason"] == "far"
    assert api(client, datum="gcj02", **gcj).status_code == 201


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"lon": 119.99}, "lat", "坐标应为数字 (must be a number)"),
        ({"lon": 119.99, "lat": 91}, "lat", "纬度应在 -90 到 90 之间 (latitude out of range)"),
        ({"lon": "abc", "lat": 31.78}, "lon", "请输入数字 (must be a number)"),
    ],
    ids=["half", "out-of-range", "text"],
)
def test_a_bad_location_is_a_400_naming_the_field(client, here, body, field, message):
    resp = api(client, **body)
    assert resp.status_code == 400
    assert resp.json()["errors"] == {field: [message]}
    assert Visit.objects.count() == 0


def test_without_code_or_location_nothing_is_counted(client, here):
    resp = api(client, industry="express")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["reason"], body["distance_m"]) == ("no_proof", None)
    assert body["message"] == "请扫描驿站现场的二维码签到，或允许获取位置后在驿站附近签到"
    assert Visit.objects.count() == 0


# --- members -----------------------------------------------------------------------------------


def test_a_member_card_checkin_from_far_away_does_not_count(client, here, member):
    resp = api(client, card_token=card_token(member.member_number), **SUZHOU)
    assert (resp.status_code, resp.json()["reason"]) == (200, "far")
    assert Visit.objects.count() == 0


def test_a_member_card_checkin_with_the_poster_code_counts_for_the_member(client, here, member):
    resp = api(client, card_token=card_token(member.member_number), poster_code=poster_code(here))
    assert resp.status_code == 201
    assert resp.json()["member"] is True
    assert Visit.objects.get().member == member


def test_a_member_cannot_check_in_at_every_station_in_turn_from_home(here, member, make_station):
    stations = [here, *(make_station(f"TN1{i:02d}", lon=119.99 + i / 100) for i in range(5))]
    results = [checkins.checkin_record(station=s, member=member, **SUZHOU) for s in stations]
    assert [r.refused for r in results] == ["far"] * 6
    assert Visit.objects.count() == 0


# --- the web page ------------------------------------------------------------------------------


def test_the_poster_url_keeps_the_code_in_the_form_and_counts(client, here):
    page = client.get(checkin_url(here).removeprefix("http://127.0.0.1:8000"))
    html = page.content.decode()
    assert f'name="poster_code" value="{poster_code(here)}"' in html
    assert "checkin.js" not in html  # no need to ask for the location
    resp = client.post("/stations/TN001/checkin/", {"poster_code": poster_code(here)}, follow=True)
    assert "签到成功" in resp.content.decode()
    assert Visit.objects.get().proof == Visit.Proof.CODE


def test_the_page_says_why_a_far_checkin_did_not_count(client, here):
    resp = client.post("/stations/TN001/checkin/", {"lon": "120.62", "lat": "31.78"}, follow=True)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "未计入到站次数" in html
    assert "您距离该驿站约 60 公里，未计入到站次数" in html
    assert Visit.objects.count() == 0


def test_the_page_without_a_code_asks_for_the_location(client, here):
    html = client.get("/stations/TN001/checkin/").content.decode()
    assert 'name="poster_code" value=""' in html
    assert "stations/checkin.js" in html
    resp = client.post(
        "/stations/TN001/checkin/", {"poster_code": "", "lon": "", "lat": ""}, follow=True
    )
    assert "请扫描驿站现场的二维码签到，或允许获取位置后在驿站附近签到" in resp.content.decode()
    assert Visit.objects.count() == 0


def test_a_signed_in_member_checks_in_on_the_page_by_location(client, here, member):
    session = client.session
    session[SESSION_KEY] = member.pk
    session.save()
    resp = client.post("/stations/TN001/checkin/", {"lon": "119.991", "lat": "31.781"}, follow=True)
    assert "签到成功" in resp.content.decode()
    assert Visit.objects.get().member == member


# --- staff -------------------------------------------------------------------------------------


@pytest.mark.prg("stations:poster_reissue")
def test_a_keeper_reissues_the_poster_of_her_station_only(as_user, keeper):
    from waystation.privacy.models import AuditLog

    c = as_user(keeper)
    resp = c.post("/staff/stations/TN001/poster/reissue/")
    assert (resp.status_code, resp["Location"]) == (302, "/staff/stations/TN001/")
    html = c.get("/staff/stations/TN001/").content.decode()
    assert "已生成第 2 版签到海报，旧海报的二维码不再计入到站次数，请打印替换" in html
    assert "签到海报第 2 版" in html
    assert c.post("/staff/stations/TN002/poster/reissue/").status_code == 404
    assert c.get("/staff/stations/TN001/poster/reissue/").status_code == 405
    assert AuditLog.objects.filter(action="station.poster_reissue").count() == 1


def test_the_openapi_schema_documents_the_proof_fields(client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"poster_code", "lon", "lat", "datum"} <= set(schemas["CheckinIn"]["properties"])
    out = schemas["CheckinOut"]["properties"]
    assert out["reason"]["enum"] == [
        "",
        "duplicate",
        "limited",
        "no_proof",
        "far",
        "code_invalid",
        "code_retired",
    ]
    assert "distance_m" in out

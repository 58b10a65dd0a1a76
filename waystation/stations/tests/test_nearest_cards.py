"""The nearest list as a rider uses it: a 导航 to each station in every map app, distances in
公里 above a kilometre, open stations by default, and a no-script page where a person picks a
district and a road from the stations' own addresses instead of typing coordinates."""

from urllib.parse import parse_qs, urlparse

import pytest

from waystation.stations.models import Station
from waystation.stations.navigation import distance_text
from waystation.stations.places import place_of

from .conftest import TIANNING

pytestmark = pytest.mark.django_db

ALWAYS = {"is_24h": True}


@pytest.mark.parametrize(
    ("metres", "text"),
    [
        (0, "0 米"),
        (850, "850 米"),
        (999.4, "999 米"),
        (999.6, "1.0 公里"),
        (1234, "1.2 公里"),
        (9949, "9.9 公里"),
        (12_400, "12 公里"),
    ],
)
def test_distances_are_in_metres_below_a_kilometre_and_in_kilometres_above(metres, text):
    assert distance_text(metres) == text


def test_every_hit_of_the_api_carries_route_links_to_its_gcj02_point(client, make_station):
    make_station("TN001", name="青洋驿站", address="常州市天宁区青洋北路88号", **ALWAYS)
    resp = client.get(f"/api/v1/stations/nearest?lon={TIANNING[0]}&lat={TIANNING[1] - 0.02}")
    assert resp.status_code == 200
    hit = resp.json()[0]
    assert hit["distance_text"].endswith("公里")  # about 2.2 km south
    apps = {n["app"]: n["url"] for n in hit["nav"]}
    assert list(apps) == ["amap", "baidu", "tencent"]
    assert urlparse(apps["amap"]).path == "/navigation"
    # the person's point is known here: Baidu's web route, from it, both ends in GCJ-02
    baidu = parse_qs(urlparse(apps["baidu"]).query)
    assert baidu["coord_type"] == ["gcj02"] and baidu["origin"][0].startswith("latlng:")


def test_the_map_page_has_no_emoji_and_names_the_no_script_page(client):
    body = client.get("/stations/").content.decode()
    assert "📍" not in body
    assert 'id="find-nearest"' in body and "<svg" in body
    assert 'id="open_now" value="true" checked' in body  # open stations by default


def test_the_no_script_page_offers_districts_then_the_roads_of_their_stations(client, make_station):
    make_station("TN001", name="青洋驿站", address="常州市天宁区青洋北路88号", **ALWAYS)
    make_station("TN002", lon=120.0, lat=31.77, address="常州市天宁区青洋北路200号", **ALWAYS)
    make_station("TN003", lon=119.98, lat=31.79, address="天宁区红梅路5号", **ALWAYS)
    body = client.get("/stations/nearest/").content.decode()
    assert 'name="lon"' not in body and 'name="lat"' not in body  # nothing to type
    assert '<option value="tianning">天宁区</option>' in body
    assert 'name="place"' not in body  # the district first

    body = client.get("/stations/nearest/?district=tianning").content.decode()
    # the road with more stations first
    assert body.index('<option value="青洋北路">') < body.index('<option value="红梅路">')

    body = client.get("/stations/nearest/?district=tianning&place=红梅路&show=all").content.decode()
    assert "离“红梅路”最近" in body
    first = body.index('class="station-hit"')
    assert body.index("/stations/TN003/", first) < body.index("/stations/TN001/", first)
    assert "uri.amap.com/navigation" in body


def test_a_road_of_another_district_is_not_taken_for_this_one(client, make_station):
    make_station("TN001", address="天宁区红梅路5号", **ALWAYS)
    body = client.get("/stations/nearest/?district=zhonglou&place=红梅路").content.decode()
    assert 'class="station-hit"' not in body


def test_the_no_script_list_shows_open_stations_unless_all_are_asked_for(client, make_station):
    make_station("TN001", name="关门驿站", address="天宁区红梅路5号", weekly_hours=[[]] * 7)
    url = "/stations/nearest/?district=tianning&place=红梅路"
    assert "关门驿站" not in client.get(url).content.decode()
    assert "关门驿站" in client.get(url + "&show=all").content.decode()


@pytest.mark.parametrize(
    ("address", "place"),
    [
        ("常州市天宁区青洋北路88号", "青洋北路"),
        ("江苏省常州市武进区湖塘镇人民中路5号", "湖塘镇人民中路"),
        ("溧阳市天目湖大道1号", "天目湖大道"),
        ("万达广场（新北店）", "万达广场"),
        ("", "红梅驿站"),
    ],
)
def test_a_place_is_the_road_or_landmark_of_the_address(address, place):
    assert place_of(address, "红梅驿站") == place


def test_a_closed_station_says_so_and_points_to_the_nearest_open_one(client, make_station):
    make_station("TN001", name="老驿站", status=Station.Status.CLOSED, **ALWAYS)
    make_station("TN002", name="暂停驿站", lon=TIANNING[0] + 0.001, status="temp_closed")
    make_station("TN003", name="新驿站", lon=TIANNING[0] + 0.01, **ALWAYS)
    body = client.get("/stations/TN001/").content.decode()
    assert "本驿站已关闭" in body
    instead = body[body.index('id="instead"') :]
    assert "/stations/TN003/" in instead and "暂停驿站" not in instead
    assert "uri.amap.com/navigation" in instead
    assert 'id="checkin-link"' not in body and "开放时间" not in body
    assert client.get("/stations/TN001/checkin/").url == "/stations/TN001/"


def test_an_open_station_page_offers_check_in_hours_and_routes(client, make_station):
    make_station("TN001", name="新驿站", **ALWAYS)
    body = client.get("/stations/TN001/").content.decode()
    assert 'id="checkin-link"' in body and "开放时间" in body
    assert 'id="station-distance"' in body  # filled in by the page's script
    assert body.count('class="button secondary nav-app"') == 3
    assert "📍" not in body

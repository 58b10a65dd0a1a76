"""Every error page a person can reach is Chinese, in the site's layout, with a way on; the API
keeps answering JSON. DEBUG is off, as in production."""

import pytest
from django.test import Client

from waystation.core import errors

WAYS_ON = ['href="/"', 'href="/stations/"', 'href="/join/"']
DJANGO_ENGLISH = ["Not Found", "Bad Request", "Forbidden", "Server Error", "Server error",
                  "CSRF verification failed", "The requested resource", "Error"]  # fmt: skip


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "waystation.core.tests.urls_errors"


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def assert_error_page(resp, status: int, title: str) -> str:
    assert resp.status_code == status
    assert resp["Content-Type"] == "text/html; charset=utf-8"
    page = resp.content.decode()
    assert f"<h1>{title}</h1>" in page
    assert f"错误代码 {status}" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "/static/css/site.css" in page
    for link in WAYS_ON:
        assert link in page, link
    for english in DJANGO_ENGLISH:
        assert english not in page, english
    return page


def test_a_wrong_station_link_is_a_chinese_404(client, orgs):
    page = assert_error_page(client.get("/stations/NOPE99/"), 404, "找不到这个页面")
    assert "请到驿站地图重新查找" in page


def test_an_unknown_address_is_a_chinese_404(client, orgs):
    assert_error_page(client.get("/no-such-page/"), 404, "找不到这个页面")


def test_a_staff_page_a_role_may_not_open_is_the_same_404_not_a_403(people, as_user):
    c = as_user(people.olga)
    c.raise_request_exception = False
    assert_error_page(c.get("/staff/members/"), 404, "找不到这个页面")
    assert_error_page(c.get("/staff/aid/payouts/"), 404, "找不到这个页面")


def test_permission_denied_is_a_chinese_403(client, orgs):
    assert_error_page(client.get("/test-errors/forbidden/"), 403, "无法打开此页面")


def test_an_unknown_host_is_a_chinese_400(client, orgs):
    assert_error_page(client.get("/", HTTP_HOST="evil.example"), 400, "请求无法处理")


def test_a_nul_character_in_the_address_is_a_chinese_400_that_says_so(client, orgs):
    page = assert_error_page(client.get("/stations/%00/"), 400, "请求无法处理")
    assert "输入包含空字符" in page


def test_a_csrf_failure_is_a_chinese_403_that_says_to_reload(orgs):
    c = Client(enforce_csrf_checks=True)
    resp = c.post("/staff/login/", {"username": "alice", "password": "x"})
    page = assert_error_page(resp, 403, "页面已过期")
    assert "刷新后重新提交" in page


def test_a_server_error_is_a_chinese_500(client, orgs):
    page = assert_error_page(client.get("/test-errors/database-down/"), 500, "服务器出了点问题")
    assert "server closed the connection" not in page  # nothing of the error is shown


def test_the_500_page_needs_no_query_and_no_context_processor(client, settings):
    """The database is down (this test may not touch it: any query raises) and every context
    processor fails: the page still renders."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine["OPTIONS"], "context_processors": [
            "waystation.core.tests.urls_errors.broken_context_processor"]}},
    ]  # fmt: skip
    resp = client.get("/test-errors/database-down/")
    assert_error_page(resp, 500, "服务器出了点问题")


def test_the_500_page_is_sent_even_when_its_template_cannot_render(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry for 'css/site.css'")

    monkeypatch.setattr(errors.loader, "render_to_string", broken)
    resp = client.get("/test-errors/database-down/")
    assert resp.status_code == 500
    page = resp.content.decode()
    assert "<h1>服务器出了点问题</h1>" in page
    assert 'name="viewport"' in page
    for link in WAYS_ON:
        assert link in page, link


def test_the_join_way_on_opens_the_city_default_campaign(client, orgs):
    from waystation.members.models import Campaign

    Campaign.objects.create(code="tianning-2024", name="天宁", unit=orgs["tianning"])
    Campaign.objects.create(code="city-2026", name="全市", unit=orgs["city"], is_default=True)
    Campaign.objects.create(code="city-2027", name="全市新", unit=orgs["city"])
    resp = client.get("/join/")
    assert resp.status_code == 302
    assert resp["Location"] == "/join/city-2026/"


def test_the_join_way_on_says_so_when_no_campaign_is_open(client, orgs):
    from waystation.members.models import Campaign

    Campaign.objects.create(
        code="city-old", name="旧", unit=orgs["city"], is_default=True, active=False
    )
    resp = client.get("/join/", follow=True)
    assert resp.redirect_chain == [("/", 302)]
    assert "暂时没有开放的入会活动" in resp.content.decode()


# --- the API answers JSON ------------------------------------------------------------------------


def test_an_unknown_api_address_is_a_json_404(client, orgs):
    resp = client.get("/api/v1/no-such-endpoint")
    assert resp.status_code == 404
    assert resp["Content-Type"] == "application/json"
    assert resp.json() == {"detail": "未找到 (not found)"}


def test_an_api_server_error_is_a_json_500(client, orgs):
    resp = client.get("/api/v1/test-errors/database-down/")
    assert resp.status_code == 500
    assert resp.json() == {"detail": "服务器内部错误 (server error)"}


def test_an_api_csrf_failure_is_a_json_403(orgs):
    resp = Client(enforce_csrf_checks=True).post("/api/v1/test-errors/form/", {"a": "1"})
    assert resp.status_code == 403
    assert resp.json() == {"detail": "CSRF 校验失败 (CSRF verification failed)"}


def test_an_api_request_from_an_unknown_host_is_a_json_400(client, orgs):
    resp = client.get("/api/v1/stations", HTTP_HOST="evil.example")
    assert resp.status_code == 400
    assert resp.json() == {"detail": "请求无效 (bad request)"}

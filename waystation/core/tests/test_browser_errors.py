"""The 404 page on a phone: laid out for 390 px (not a shrunken desktop page), and its ways on
work."""

import pytest

from waystation.members.models import Campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_404_page_fits_a_phone_and_its_links_lead_on(live_server, phone_page, orgs, settings):
    settings.DEBUG = False
    Campaign.objects.create(
        code="city-2026", name="全市扫码入会", unit=orgs["city"], is_default=True
    )
    page = phone_page
    resp = page.goto(f"{live_server.url}/stations/NOPE99/")
    assert resp.status == 404
    assert page.locator("h1").inner_text() == "找不到这个页面"
    # Without a viewport tag a phone lays the page out 980 px wide and shrinks it.
    assert page.evaluate("window.innerWidth") == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for link in page.locator(".ways-on a").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert box["height"] >= 44  # a thumb (in a glove) can hit it

    page.get_by_role("link", name="找驿站").click()
    page.wait_for_url(f"{live_server.url}/stations/")
    page.go_back()
    page.get_by_role("link", name="加入工会").click()
    page.wait_for_url(f"{live_server.url}/join/city-2026/")
    assert "全市扫码入会" in page.content()
    page.go_back()
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text().splitlines() == ["常州市总工会", "新就业形态劳动者服务"]

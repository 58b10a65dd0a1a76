"""The e-card in headless Chromium on a phone: the QR comes by script with the time it was made
and a countdown, is refreshed without reloading the page, and the card shown from the offline
cache says so. Screenshots in /tmp/shots-cards18/ (or $WAYSTATION_SHOTS)."""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from waystation.members.cards import card_token_read
from waystation.members.middleware import SESSION_KEY

from .factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JSQR = Path(settings.BASE_DIR) / "waystation" / "static" / "vendor" / "jsqr" / "jsQR.js"
SHOTS = Path(os.environ.get("WAYSTATION_SHOTS", "/tmp/shots-cards18"))  # noqa: S108 - for a look


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def member_signed_in(page, live_server, member) -> None:
    c = Client()
    session = c.session
    session[SESSION_KEY] = member.pk
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def member(orgs):
    return make_member(name="钱七", id_number="11010519491231002X")


def decoded_qr(page) -> str:
    """What the card's QR says, read back by the same decoder the card check uses."""
    page.add_script_tag(path=str(JSQR))
    return page.evaluate(
        """() => {
          const img = document.getElementById("card-qr-img");
          const c = document.createElement("canvas");
          c.width = 400; c.height = 400;
          const ctx = c.getContext("2d");
          ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, 400, 400);
          ctx.drawImage(img, 0, 0, 400, 400);
          const hit = jsQR(ctx.getImageData(0, 0, 400, 400).data, 400, 400);
          return hit ? hit.data : "";
        }"""
    )


def test_the_card_shows_when_its_code_was_made_and_counts_down(live_server, phone_page, member):
    page = phone_page
    member_signed_in(page, live_server, member)
    page.goto(f"{live_server.url}/me/card/")
    page.wait_for_function("document.getElementById('card-qr-img').naturalWidth > 0")
    assert page.locator("h1").inner_text().startswith("常州市总工会")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    issued = page.inner_text("#card-issued")
    now = timezone.localtime()
    assert issued[:5] in {now.strftime("%H:%M"), (now - timedelta(minutes=1)).strftime("%H:%M")}
    first = page.inner_text("#card-countdown")
    assert first.endswith("后刷新") and first.startswith(("4:0", "3:5"))
    page.wait_for_function(f"document.getElementById('card-countdown').textContent !== {first!r}")

    url = decoded_qr(page)
    prefix = settings.SITE_URL + "/staff/card/verify/?t="
    assert url.startswith(prefix) and card_token_read(url[len(prefix) :]) == member.member_number

    # the labels: white, fully opaque, on the card's red (5.9:1 at its lightest stop)
    labels = page.eval_on_selector_all(
        "#member-card dt",
        "els => els.map(e => [getComputedStyle(e).color, getComputedStyle(e).opacity])",
    )
    assert labels and set(map(tuple, labels)) == {("rgb(255, 255, 255)", "1")}
    for target in page.locator("#member-card button, .card-links a").all():
        assert target.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "card-phone-live")


def test_the_code_is_refreshed_by_script_not_by_reloading(
    live_server, phone_page, member, settings
):
    settings.CARD_TOKEN_TTL_SECONDS = 4  # the page fetches the next code after 2 s
    page = phone_page
    member_signed_in(page, live_server, member)
    page.goto(f"{live_server.url}/me/card/")
    page.wait_for_function("document.getElementById('card-qr-img').naturalWidth > 0")
    page.evaluate("window.__samePage = true")
    first = page.get_attribute("#card-qr-img", "src")
    page.wait_for_function(f"document.getElementById('card-qr-img').src !== {first!r}")
    assert page.evaluate("window.__samePage") is True
    assert "is-cached" not in page.get_attribute("#member-card", "class")


def _cached_code(minutes_ago: int, page) -> str:
    """code.json as the service worker's cache would hand it back: made minutes ago."""
    made = timezone.now() - timedelta(minutes=minutes_ago)
    qr = page.get_attribute("#card-qr-img", "src")
    return json.dumps(
        {
            "qr": qr,
            "issued_at": made.isoformat(),
            "expires_at": (made + timedelta(seconds=300)).isoformat(),
            "refresh_at": (made + timedelta(seconds=240)).isoformat(),
        }
    )


def test_the_card_from_the_offline_cache_says_so_and_since_when(
    live_server, phone_page_without_sw, member
):
    page = phone_page_without_sw
    member_signed_in(page, live_server, member)
    page.goto(f"{live_server.url}/me/card/")
    page.wait_for_function("document.getElementById('card-qr-img').naturalWidth > 0")
    body = _cached_code(42, page)
    page.route(
        "**/me/card/code.json",
        lambda route: route.fulfill(body=body, content_type="application/json"),
    )
    page.reload()
    page.wait_for_selector("#card-cached:not([hidden])")
    made = timezone.localtime(timezone.now() - timedelta(minutes=42)).strftime("%H:%M")
    banner = page.inner_text("#card-cached")
    assert "这是缓存的会员卡" in banner and made in banner and "已失效" in banner
    assert page.is_visible(".qr-expired")
    assert page.inner_text("#card-countdown") == "已失效"
    assert "is-cached" in page.get_attribute("#member-card", "class")
    shot(page, "card-phone-cached")

    # no signal at all and no copy of the code: the page itself from the cache
    page.unroute("**/me/card/code.json")
    page.route("**/me/card/code.json", lambda route: route.abort("internetdisconnected"))
    page.reload()
    page.wait_for_selector("#card-cached:not([hidden])")
    assert "保存于" in page.inner_text("#card-cached")
    assert page.inner_text("#card-qr-wait") == "暂无二维码：联网后自动显示"
    assert not page.is_visible("#card-qr-img")  # no empty image frame
    shot(page, "card-phone-no-code")


def test_a_signal_lost_mid_way_keeps_the_live_code_until_it_expires(
    live_server, phone_page_without_sw, member
):
    page = phone_page_without_sw
    member_signed_in(page, live_server, member)
    page.goto(f"{live_server.url}/me/card/")
    page.wait_for_function("document.getElementById('card-qr-img').naturalWidth > 0")
    page.route("**/me/card/code.json", lambda route: route.abort("internetdisconnected"))
    page.click("#card-refresh")
    page.wait_for_function(
        "document.getElementById('card-countdown').textContent.endsWith('后失效')"
    )
    assert "网络不可用" in page.inner_text("#card-status")
    assert "is-stale" not in page.get_attribute("#member-card", "class")

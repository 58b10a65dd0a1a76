"""The card check in headless Chromium: a keeper reads a member's QR with the page's own scanner
(a photo of the code, the camera, or the browser's BarcodeDetector where there is one) and sees
whom to match it to; signed out, the page asks for staff. Screenshots in /tmp/shots-cards18/."""

import json
import struct
from pathlib import Path

import pytest
import segno
from django.conf import settings
from django.test import Client
from PIL import Image

from waystation.members.cards import card_code_issue

from .factories import make_member
from .test_browser_card import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID = "11010519491231002X"


@pytest.fixture
def member(orgs):
    return make_member(name="钱七", id_number=ID)


def card_url(member) -> str:
    return settings.SITE_URL + "/staff/card/verify/?t=" + card_code_issue(member).token


def qr_png(text: str, path: Path, *, size: int = 600) -> Path:
    """A photo of a card, as a phone's camera might take it: the QR on a grey page."""
    segno.make(text, error="m").save(str(path.with_suffix(".qr.png")), scale=6, border=4)
    qr = Image.open(path.with_suffix(".qr.png")).convert("L")
    photo = Image.new("L", (size, size), 200)
    photo.paste(qr, ((size - qr.width) // 2, (size - qr.height) // 2))
    photo.save(path)
    return path


def signed_in(page, live_server, user) -> None:
    c = Client()
    c.force_login(user)
    sid = c.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": sid, "url": live_server.url}]
    )


@pytest.fixture
def wide_page(browser):
    ctx = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = ctx.new_page()
    page.set_default_timeout(15000)
    yield page
    ctx.close()


def assert_matched_to(page, member, token_part: str) -> None:
    page.wait_for_selector("#verify-result")
    result = page.inner_text("#verify-result")
    assert "有效会员" in result and "钱七" in result and member.member_number in result
    assert member.union.name in result and page.inner_text(".verify-id4") == "002X"
    assert "?t=" not in page.url  # the token left the address bar
    assert token_part not in page.content()


def test_a_keeper_reads_a_photo_of_the_card_and_sees_whom_to_match(
    live_server, phone_page, kim, member, tmp_path
):
    page = phone_page
    signed_in(page, live_server, kim)
    page.goto(f"{live_server.url}/staff/card/verify/")
    assert page.locator("h1").inner_text() == "会员卡核验"
    for target in page.locator(".scanner-actions button:visible, .scanner-actions .button").all():
        assert target.bounding_box()["height"] >= 44
    shot(page, "check-phone-ready")
    url = card_url(member)
    page.set_input_files("#scanner-file", str(qr_png(url, tmp_path / "card.png")))
    assert_matched_to(page, member, url.rsplit(":", 1)[-1])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "check-phone-valid")


def test_a_code_that_is_not_a_card_says_so(live_server, phone_page, kim, tmp_path):
    page = phone_page
    signed_in(page, live_server, kim)
    page.goto(f"{live_server.url}/staff/card/verify/")
    page.set_input_files(
        "#scanner-file", str(qr_png("https://example.com/pay?x=1", tmp_path / "pay.png"))
    )
    page.wait_for_selector("#scanner-status:has-text('这不是会员卡二维码')")
    blank = tmp_path / "blank.png"
    Image.new("L", (300, 300), 255).save(blank)
    page.set_input_files("#scanner-file", str(blank))
    page.wait_for_selector("#scanner-status:has-text('没有找到二维码')")
    assert page.get_attribute("#scanner", "data-decoder") == "jsqr"  # Chromium on Linux: no native


def test_the_browsers_own_barcode_detector_is_used_where_present(
    live_server, phone_page, kim, member
):
    page = phone_page
    url = card_url(member)
    page.add_init_script(
        """
        window.BarcodeDetector = class {
          static getSupportedFormats() { return Promise.resolve(["qr_code", "ean_13"]); }
          constructor(options) { sessionStorage.setItem("detector", options.formats.join()); }
          detect(source) { return Promise.resolve([{ rawValue: URL_READ, format: "qr_code" }]); }
        };
        """.replace("URL_READ", json.dumps(url))
    )
    signed_in(page, live_server, kim)
    page.goto(f"{live_server.url}/staff/card/verify/")
    blank = (
        Path(settings.BASE_DIR)
        / "waystation"
        / "static"
        / "vendor"
        / "leaflet"
        / "images"
        / "layers.png"
    )
    page.set_input_files("#scanner-file", str(blank))
    assert_matched_to(page, member, url.rsplit(":", 1)[-1])
    assert page.evaluate("sessionStorage.getItem('detector')") == "qr_code"
    assert page.evaluate("typeof window.jsQR") == "undefined"  # never loaded


def y4m(png: Path, path: Path) -> Path:
    """A one-frame Y4M video of the picture (grey: Y from the image, U and V at 128), which
    Chromium's fake camera plays in a loop."""
    img = Image.open(png).convert("L").resize((640, 480))
    w, h = img.size
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n".encode())
        f.write(b"FRAME\n" + img.tobytes() + struct.pack("B", 128) * (w * h // 2))
    return path


def test_the_camera_scanner_reads_a_card_held_to_it(browser, live_server, member, kim, tmp_path):
    """Chromium's fake camera plays a picture of the card's QR: the page's own scanner (jsQR on
    the frames, Chromium on Linux having no BarcodeDetector) reads it."""
    from conftest import CHROMIUM

    url = card_url(member)
    video = y4m(qr_png(url, tmp_path / "card.png", size=480), tmp_path / "card.y4m")
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        ctx = camera.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        ctx.grant_permissions(["camera"], origin=live_server.url)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        signed_in(page, live_server, kim)
        page.goto(f"{live_server.url}/staff/card/verify/")
        page.click("#scanner-start")
        assert_matched_to(page, member, url.rsplit(":", 1)[-1])
    finally:
        camera.close()


def test_expired_and_other_city_codes_say_so_on_a_desk(
    live_server, wide_page, people, member, monkeypatch
):
    from django.core import signing
    from django.utils import timezone

    from .test_card_check import Clock

    page = wide_page
    signed_in(page, live_server, people.alice)
    with monkeypatch.context() as m:
        m.setattr(signing, "time", Clock(timezone.now().timestamp() - 25 * 60))
        old = card_code_issue(member).token
    page.goto(f"{live_server.url}/staff/card/verify/?t={old}")
    page.wait_for_selector("#verify-result.is-refused")
    text = page.inner_text("#verify-result")
    assert "二维码已过期" in text and "25 分钟前" in text and "钱七" not in text
    shot(page, "check-desk-expired")


def test_signed_out_the_check_asks_for_staff_and_shows_the_card_after(
    live_server, phone_page, member, kim
):
    page = phone_page
    url = card_url(member)
    page.goto(url.replace(settings.SITE_URL, live_server.url))
    assert page.inner_text(".verify-verdict") == "请工作人员登录后核验"
    assert "钱七" not in page.content() and member.member_number not in page.content()
    shot(page, "check-phone-signed-out")
    page.get_by_role("link", name="工作人员登录", exact=True).click()
    page.fill("#id_username", "kim")
    page.fill("#id_password", "pw-kim")
    page.click("button[type=submit]")
    assert_matched_to(page, member, url.rsplit(":", 1)[-1])

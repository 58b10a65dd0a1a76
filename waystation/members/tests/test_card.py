import base64
import io
from datetime import datetime, timedelta

import pytest
from django.core import signing
from PIL import Image

from waystation.members.cards import card_token, card_token_read
from waystation.members.middleware import SESSION_KEY
from waystation.members.models import Campaign

from .factories import make_member

ID = "11010519491231002X"


@pytest.fixture
def member(orgs):
    return make_member(name="钱七", id_number=ID)


def signed_in(client, member):
    session = client.session
    session[SESSION_KEY] = member.pk
    session.save()
    return client


def test_card_shows_number_name_union_status_and_join_date(client, member):
    html = signed_in(client, member).get("/me/card/").content.decode()
    assert member.member_number in html and "钱七" in html
    assert member.union.name in html and "正常" in html
    assert ID not in html


def test_card_code_holds_a_signed_token_not_the_id_number(client, member):
    r = signed_in(client, member).get("/me/card/code.json")
    assert r.status_code == 200 and r["Cache-Control"].startswith("max-age=0")
    data = r.json()
    svg = base64.b64decode(data["qr"].removeprefix("data:image/svg+xml;base64,")).decode()
    assert svg.startswith("<svg") and ID not in svg
    issued, expires = (datetime.fromisoformat(data[k]) for k in ("issued_at", "expires_at"))
    refresh = datetime.fromisoformat(data["refresh_at"])
    assert (expires - issued, refresh - issued) == (timedelta(seconds=300), timedelta(seconds=240))


def test_card_page_holds_no_token_no_form_and_no_reload(client, member):
    """The page may be served from the offline cache: nothing in it goes stale but the code,
    which the script fetches (and the page never reloads itself under a screen reader)."""
    html = signed_in(client, member).get("/me/card/").content.decode()
    assert "csrfmiddlewaretoken" not in html and 'http-equiv="refresh"' not in html
    assert "?t=" not in html and 'data-code-url="/me/card/code.json"' in html
    assert '<h1 id="card-title">' in html and 'href="/me/logout/"' in html


def test_card_requires_sign_in(client, member):
    assert client.get("/me/card/").status_code == 302
    assert client.get("/me/card/code.json").status_code == 403


def test_signing_out_from_the_card_asks_first(client, member):
    signed_in(client, member)
    page = client.get("/me/logout/")
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    assert client.session[SESSION_KEY] == member.pk


class Clock:
    """Stands in for the time module inside django.core.signing: time stands still until moved."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_expired_token_is_refused(member, monkeypatch):
    clock = Clock(1_780_000_000.0)
    monkeypatch.setattr(signing, "time", clock)
    token = card_token(member.member_number)
    clock.now += 1
    assert card_token_read(token, max_age=1) == member.member_number
    clock.now += 1
    with pytest.raises(signing.SignatureExpired):
        card_token_read(token, max_age=1)


def test_staff_verify_page_accepts_valid_and_refuses_forged_tokens(people, member, as_user):
    c = as_user(people.charlie)  # any staff may verify a card shown to them
    ok = c.get("/staff/card/verify/", {"t": card_token(member.member_number)}).content.decode()
    assert "有效会员" in ok and "钱七" in ok
    forged = card_token(member.member_number)[:-2] + "xx"
    bad = c.get("/staff/card/verify/", {"t": forged}).content.decode()
    assert "二维码无效" in bad and "钱七" not in bad


def test_lapsed_member_card_does_not_verify(people, member, as_user):
    member.status = "lapsed"
    member.save(update_fields=["status"])
    html = (
        as_user(people.alice)
        .get("/staff/card/verify/", {"t": card_token(member.member_number)})
        .content.decode()
    )
    assert "会员资格已失效" in html and "有效会员" not in html


def test_campaign_posters_download_as_png_and_pdf(people, orgs, as_user):
    Campaign.objects.create(code="tn-1", name="天宁驿站入会", unit=orgs["tianning"])
    c = as_user(people.alice)
    png = c.get("/staff/campaigns/tn-1/poster.png")
    img = Image.open(io.BytesIO(png.content))
    assert img.format == "PNG" and img.width == img.height
    pdf = c.get("/staff/campaigns/tn-1/poster.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert b"STSong-Light" in pdf.content  # Chinese text uses the CID font
    assert as_user(people.charlie).get("/staff/campaigns/tn-1/poster.png").status_code == 404


def test_staff_create_campaign_in_their_scope_only(people, orgs, as_user):
    c = as_user(people.alice)
    r = c.post("/staff/campaigns/", {"code": "tn-2", "name": "夜市点位", "owner_kind": "street",
                                      "place": "红梅", "unit": orgs["zhonglou"].pk})  # fmt: skip
    assert r.status_code == 200 and not Campaign.objects.filter(code="tn-2").exists()
    c.post("/staff/campaigns/", {"code": "tn-2", "name": "夜市点位", "owner_kind": "street",
                                  "place": "红梅", "unit": orgs["tianning"].pk})  # fmt: skip
    assert Campaign.objects.get(code="tn-2").unit == orgs["tianning"]


def test_stats_page_counts_members_in_scope(people, as_user):
    make_member(district="tianning")
    make_member(district="tianning")
    make_member(district="zhonglou")
    stats = as_user(people.alice).get("/staff/stats/").context["stats"]
    assert stats["total"] == 2
    assert stats["by_district"] == [{"name": "天宁区", "n": 2}]
    assert sum(r["n"] for r in stats["joins_per_week"]) == 2


def test_card_links_to_stations_and_mutual_aid(client, member):
    html = signed_in(client, member).get("/me/card/").content.decode()
    assert 'href="/stations/"' in html and 'href="/me/aid/"' in html


def test_platform_liaisons_cannot_read_cards_but_keepers_and_lawyers_can(people, member, orgs):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from waystation.accounts.models import StaffRole

    url = f"/staff/card/verify/?t={card_token(member.member_number)}"
    liaison = Client()
    liaison.force_login(people.lily)
    assert liaison.get(url).status_code == 404
    for role in (StaffRole.Role.STATION_KEEPER, StaffRole.Role.LAWYER):
        user = get_user_model().objects.create_user(f"u-{role}")
        StaffRole.objects.create(user=user, role=role, unit=orgs["tianning"])
        c = Client()
        c.force_login(user)
        assert "有效会员" in c.get(url).content.decode(), role

"""The card check a keeper or guard makes of a scanned e-card: what they see for each kind of
code, and what they never see (the token, another city's member, anything while signed out)."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import signing
from django.utils import timezone

from waystation.members import services
from waystation.members.cards import CardState, card_code_issue, card_token

from .factories import make_member

ID = "11010519491231002X"
URL = "/staff/card/verify/"


@pytest.fixture
def member(orgs):
    return make_member(name="钱七", id_number=ID, district="tianning")


class Clock:
    """Stands in for the time module inside django.core.signing: a code made at a set time."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def code_made_ago(member, monkeypatch, seconds: int) -> str:
    with monkeypatch.context() as m:
        m.setattr(signing, "time", Clock(timezone.now().timestamp() - seconds))
        return card_code_issue(member).token


def check(client, token):
    r = client.get(URL, {"t": token})
    assert r.status_code == 200
    return r.context["check"], r.content.decode()


def test_a_valid_code_shows_who_it_is_with_the_last_four_of_the_id_number(people, member, as_user):
    token = card_code_issue(member).token
    result, html = check(as_user(people.alice), token)
    assert result.state is CardState.VALID
    assert "钱七" in html and member.member_number in html and member.union.name in html
    assert '<dd class="verify-id4">002X</dd>' in html
    assert ID not in html and ID[:-4] not in html
    assert token not in html and quote(token) not in html  # nothing to copy off the screen


def test_a_keeper_at_the_door_sees_the_same(kim, member, client):
    client.force_login(kim)
    result, html = check(client, card_code_issue(member).token)
    assert result.state is CardState.VALID and '<dd class="verify-id4">002X</dd>' in html


def test_an_expired_code_says_when_it_was_made(people, member, as_user, monkeypatch):
    token = code_made_ago(member, monkeypatch, 20 * 60)
    result, html = check(as_user(people.alice), token)
    assert result.state is CardState.EXPIRED
    assert "二维码已过期" in html and "20 分钟前" in html and "截图或离线缓存" in html
    assert "钱七" not in html


def test_a_code_within_its_lifetime_is_still_valid(people, member, as_user, monkeypatch):
    token = code_made_ago(member, monkeypatch, 290)
    assert check(as_user(people.alice), token)[0].state is CardState.VALID


def test_a_forged_code_is_refused(people, member, as_user):
    token = card_code_issue(member).token
    result, html = check(as_user(people.alice), token[:-2] + "xx")
    assert result.state is CardState.FORGED and "不是本平台签发" in html and "钱七" not in html
    assert check(as_user(people.alice), "not-a-token-at-all-xyz")[0].state is CardState.FORGED


def test_another_citys_card_is_refused_without_saying_whose(wuxi_people, member, as_user):
    result, html = check(as_user(wuxi_people.wanda), card_code_issue(member).token)
    assert result.state is CardState.OTHER_CITY and result.member is None
    assert "常州市总工会的会员卡" in html and "不属于您所在城市" in html
    assert "钱七" not in html and member.member_number not in html and "002X" not in html


def test_province_staff_check_cards_of_every_city_of_the_province(wuxi_people, member, as_user):
    assert check(as_user(wuxi_people.pam), card_code_issue(member).token)[0].ok


def test_a_code_made_before_a_transfer_is_revoked(people, member, orgs, as_user):
    token = card_code_issue(member).token
    member = services.member_transfer(
        member=member, union=orgs["tianning"], reason="转入区总工会", actor=people.carl
    )
    result, html = check(as_user(people.alice), token)
    assert result.state is CardState.REVOKED and "二维码已作废" in html
    assert check(as_user(people.alice), card_code_issue(member).token)[0].ok  # the new one


def test_a_code_made_before_a_status_change_is_revoked(people, member, as_user, monkeypatch):
    token = code_made_ago(member, monkeypatch, 60)
    services.member_set_status(member=member, status="lapsed", reason="欠费", actor=people.alice)
    services.member_set_status(member=member, status="active", reason="补缴", actor=people.alice)
    assert check(as_user(people.alice), token)[0].state is CardState.REVOKED


@pytest.mark.parametrize(
    ("status", "state", "words"),
    [("lapsed", CardState.LAPSED, "会员资格已失效"), ("withdrawn", CardState.WITHDRAWN, "已退会")],
)
def test_a_lapsed_or_withdrawn_member_is_told_plainly(
    people, member, as_user, status, state, words
):
    token = card_code_issue(member).token
    member.status = status
    member.save(update_fields=["status"])
    result, html = check(as_user(people.alice), token)
    assert result.state is state and words in html and "钱七" in html


def test_signed_out_the_check_asks_staff_to_sign_in(client, member):
    token = card_code_issue(member).token
    r = client.get(URL, {"t": token})
    html = r.content.decode()
    assert r.status_code == 200 and "请工作人员登录后核验" in html
    assert "钱七" not in html and member.member_number not in html
    assert f'href="/staff/login/?next={quote(URL + "?t=", safe="")}' in html  # back here after


def test_a_signed_in_member_is_not_staff_either(client, member):
    from waystation.members.middleware import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = member.pk
    session.save()
    assert (
        "请工作人员登录后核验"
        in client.get(URL, {"t": card_code_issue(member).token}).content.decode()
    )


def test_staff_without_a_verifying_role_get_404(people, member, as_user):
    token = card_code_issue(member).token
    assert as_user(people.olga).get(URL, {"t": token}).status_code == 404
    assert as_user(people.lily).get(URL, {"t": token}).status_code == 404


def test_the_check_page_offers_the_scanner_with_its_decoder(people, as_user):
    html = as_user(people.alice).get(URL).content.decode()
    assert 'data-jsqr="/static/vendor/jsqr/jsQR.js"' in html and 'id="scanner-file"' in html
    assert 'id="verify-result"' not in html


def test_a_plain_number_card_token_still_reads(people, member, as_user):
    """Codes made before the city and union were in them (the minutes after a deploy)."""
    assert check(as_user(people.alice), card_token(member.member_number))[0].ok


def test_the_code_lives_its_ttl(member, settings):
    settings.CARD_TOKEN_TTL_SECONDS = 120
    code = card_code_issue(member)
    assert code.expires_at - code.issued_at == timedelta(seconds=120)
    assert code.refresh_at - code.issued_at == timedelta(seconds=60)


def test_a_pasted_address_of_the_code_is_read_like_the_token(people, member, as_user):
    token = card_code_issue(member).token
    c = as_user(people.alice)
    r = c.post(URL, {"t": f" https://waystation.example/staff/card/verify/?t={token} "})
    assert r.status_code == 302 and r["Location"] == f"{URL}?t={quote(token)}"
    assert c.get(r["Location"]).context["check"].ok

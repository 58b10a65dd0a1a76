"""Electronic membership card: the code the card's QR holds, and the check a keeper or guard
makes of a scanned one.

A card code is a signed, timestamped token holding the member number and the ids of the city and
union the member belonged to when it was made: no personal data, nothing a photo of it reveals.
It lives `CARD_TOKEN_TTL_SECONDS`; the card page fetches a new one by script a minute before
that (`CARD_REFRESH_MARGIN_SECONDS`), so the code on a live card is always valid, and shows when
it was made: a screenshot or a card shown from the offline cache carries an old time.

A check (`card_check`) answers in one of the states below, each with plain words for the guard:
- forged or expired codes are told apart (the time an expired code was made is read from its
  signature, so the guard can say "this one is from 20 minutes ago");
- a code made for another city's member is refused without saying who it is: staff of one city
  see no other city's rows (accounts/access.py);
- a code made before the member's status changed, or before a transfer to another union or
  city, is revoked: the card it came from no longer says what is true;
- a lapsed or withdrawn member's code says so.
"""

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from waystation.accounts.access import Scope

    from .models import Member

SALT = "waystation.members.card"
CARD_REFRESH_MARGIN_SECONDS = 60


def card_token(
    member_number: str, *, city_id: int | None = None, union_id: int | None = None
) -> str:
    """A signed code for the member number (and, for the card, the city and union it was made
    for, so that a later transfer revokes it)."""
    data: dict[str, str | int] = {"m": member_number}
    if city_id is not None:
        data["c"] = city_id
    if union_id is not None:
        data["u"] = union_id
    return signing.dumps(data, salt=SALT, compress=True)


def card_token_read(token: str, *, max_age: int | None = None) -> str:
    """The member number in a token; raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(
        token, salt=SALT, max_age=settings.CARD_TOKEN_TTL_SECONDS if max_age is None else max_age
    )
    return data["m"]


@dataclass(frozen=True)
class CardCode:
    """What the card page shows: the code, when it was made, until when it is valid and when the
    page fetches the next one."""

    token: str
    issued_at: datetime
    expires_at: datetime
    refresh_at: datetime


def card_code_issue(member: "Member") -> CardCode:
    token = card_token(member.member_number, city_id=member.city_id, union_id=member.union_id)
    issued = _issued_at(token)
    ttl = settings.CARD_TOKEN_TTL_SECONDS
    return CardCode(
        token=token,
        issued_at=issued,
        expires_at=issued + timedelta(seconds=ttl),
        refresh_at=issued + timedelta(seconds=max(ttl // 2, ttl - CARD_REFRESH_MARGIN_SECONDS)),
    )


def _issued_at(token: str) -> datetime:
    """The time in a token's signature (`payload:timestamp:signature`, base62 seconds)."""
    timestamp = token.rsplit(":", 2)[-2]
    return datetime.fromtimestamp(signing.b62_decode(timestamp), tz=UTC)


class CardState(enum.StrEnum):
    VALID = "valid"
    FORGED = "forged"
    EXPIRED = "expired"
    OTHER_CITY = "other_city"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


HEADLINES = {
    CardState.VALID: _lazy("有效会员"),
    CardState.FORGED: _lazy("无效二维码"),
    CardState.EXPIRED: _lazy("二维码已过期"),
    CardState.OTHER_CITY: _lazy("非本市会员卡"),
    CardState.UNKNOWN: _lazy("会员不存在"),
    CardState.REVOKED: _lazy("二维码已作废"),
    CardState.LAPSED: _lazy("会员资格已失效"),
    CardState.WITHDRAWN: _lazy("会员已退会"),
}


@dataclass(frozen=True)
class CardCheck:
    state: CardState
    message: str
    # Set only when the verifier may see who it is (their own city): the page shows the name,
    # number, union and the last four characters of the ID number, to match to the person.
    member: "Member | None" = None
    issued_at: datetime | None = None

    @property
    def headline(self) -> str:
        """A few words a guard reads at a glance; `message` says the rest."""
        return str(HEADLINES[self.state])

    @property
    def ok(self) -> bool:
        return self.state is CardState.VALID

    @property
    def id_last_four(self) -> str:
        return self.member.id_number_masked[-4:] if self.member is not None else ""


def card_check(token: str, *, scope: "Scope") -> CardCheck:
    """What a scanned code says, for a verifier of this scope (see the module docstring)."""
    from .models import Member

    try:
        data = signing.loads(token, salt=SALT)  # the signature only; the age is read below
        issued = _issued_at(token)
    except (signing.BadSignature, ValueError, IndexError):
        return CardCheck(CardState.FORGED, _("二维码无效：不是本平台签发的会员卡"))
    if not isinstance(data, dict) or not isinstance(data.get("m"), str):
        return CardCheck(CardState.FORGED, _("二维码无效：不是本平台签发的会员卡"))
    age = timezone.now() - issued
    if age > timedelta(seconds=settings.CARD_TOKEN_TTL_SECONDS):
        made = formats.date_format(timezone.localtime(issued), "n月j日 H:i")
        return CardCheck(
            CardState.EXPIRED,
            _("二维码已过期（生成于 %(made)s，%(ago)s），可能是截图或离线缓存：请会员联网刷新")
            % {"made": made, "ago": _ago(age)},
            issued_at=issued,
        )
    member = Member.objects.select_related("union", "city").filter(member_number=data["m"]).first()
    if member is None:
        return CardCheck(CardState.UNKNOWN, _("会员不存在（可能已被注销）"), issued_at=issued)
    if member.city_id not in scope.home_cities:
        return CardCheck(
            CardState.OTHER_CITY,
            _("这是%(union)s的会员卡，不属于您所在城市，无法在此核验")
            % {"union": member.city.union_name},
            issued_at=issued,
        )
    if member.status == Member.Status.WITHDRAWN:
        return CardCheck(CardState.WITHDRAWN, _("会员已退会，会员卡已注销"), member, issued)
    if member.status == Member.Status.LAPSED:
        return CardCheck(CardState.LAPSED, _("会员资格已失效，会员卡不可用"), member, issued)
    moved = data.get("c", member.city_id) != member.city_id or (
        data.get("u", member.union_id) != member.union_id
    )
    # (to the second, as the code's time: a code made in the second of a change stays valid)
    changed = member.status_changed_at
    if moved or (changed is not None and changed.replace(microsecond=0) > issued):
        return CardCheck(
            CardState.REVOKED,
            _("二维码已作废：会员的会籍在此后有变更（转会或状态变化），请会员刷新会员卡"),
            member,
            issued,
        )
    return CardCheck(CardState.VALID, _("有效会员"), member, issued)


def _ago(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(n)d 分钟前", "%(n)d 分钟前", minutes) % {"n": minutes}
    if minutes < 48 * 60:
        return ngettext("%(n)d 小时前", "%(n)d 小时前", minutes // 60) % {"n": minutes // 60}
    days = minutes // (24 * 60)
    return ngettext("%(n)d 天前", "%(n)d 天前", days) % {"n": days}

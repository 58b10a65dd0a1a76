"""Electronic membership card tokens: signed, expiring, holding the member number only."""

from django.conf import settings
from django.core import signing

SALT = "waystation.members.card"


def card_token(member_number: str) -> str:
    return signing.dumps({"m": member_number}, salt=SALT, compress=True)


def card_token_read(token: str, *, max_age: int | None = None) -> str:
    """The member number in a token; raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(
        token, salt=SALT, max_age=settings.CARD_TOKEN_TTL_SECONDS if max_age is None else max_age
    )
    return data["m"]

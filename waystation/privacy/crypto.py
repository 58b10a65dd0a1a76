"""Encryption at rest and keyed hashing of personal data.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under MultiFernet, so keys rotate by
putting a new key first in PII_KEYS: new writes use it, old ciphertexts still decrypt, and
`manage.py rotate_pii_keys` re-encrypts everything under the newest key. Uniqueness and exact
search use an HMAC-SHA256 of the normalised value under PII_HASH_KEY, never the plain value.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet_key(raw: str) -> bytes:
    """Accept a proper Fernet key, or derive one from any other secret string."""
    try:
        if len(base64.urlsafe_b64decode(raw.encode())) == 32:
            return raw.encode()
    except (ValueError, TypeError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest())


@cache
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def _cipher() -> MultiFernet:
    return _multi(tuple(settings.PII_KEYS))


def encrypt(value: str) -> str:
    return _cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return decrypt_bytes(token.encode()).decode()


def encrypt_bytes(data: bytes) -> bytes:
    return _cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _cipher().decrypt(token)
    except InvalidToken as exc:  # a key was removed before rotation finished
        raise ValueError("无法解密：密钥不匹配 (no key in PII_KEYS decrypts this value)") from exc


def reencrypt(token: str) -> str:
    """The same plaintext under the newest key (used by key rotation)."""
    return _cipher().rotate(token.encode()).decode()


def keyed_hash(value: str) -> str:
    return hmac.new(settings.PII_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()

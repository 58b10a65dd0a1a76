"""SMS verification codes through a pluggable backend.

Backends (settings.SMS_BACKEND):
- "console": writes the code to the log (development);
- "test": the code is settings.SMS_TEST_CODE (tests and demos; `check --deploy` refuses it);
- a dotted path to a subclass of SmsBackend for a real provider (Aliyun, Tencent Cloud …).

A provider backend implements `code_for(phone)` (usually: a random code) and `send(phone, text)`,
raising SmsSendError when the provider refuses. Codes are stored hashed, expire after
SMS_CODE_TTL_SECONDS, are used once, and sends are rate limited per phone and per IP.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from waystation.privacy.crypto import keyed_hash
from waystation.privacy.masking import mask_phone

from .models import SmsCode

log = logging.getLogger(__name__)
PURPOSES = {"join": "入会验证", "login": "登录验证"}
MAX_ATTEMPTS = 5


class SmsSendError(Exception):
    pass


class SmsBackend:
    def code_for(self, phone: str) -> str:
        return f"{secrets.randbelow(10**6):06d}"

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleBackend(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        # Development only: the phone is masked even here, logs never hold personal data.
        log.warning("SMS to %s: %s", mask_phone(phone), text)
        print(f"[SMS → {mask_phone(phone)}] {text}", flush=True)


class TestBackend(SmsBackend):
    outbox: list[tuple[str, str]] = []

    def code_for(self, phone: str) -> str:
        return settings.SMS_TEST_CODE

    def send(self, phone: str, text: str) -> None:
        TestBackend.outbox.append((mask_phone(phone), text))


def get_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    if name == "console":
        return ConsoleBackend()
    if name == "test":
        return TestBackend()
    return import_string(name)()


def _code_hash(phone: str, purpose: str, code: str) -> str:
    return keyed_hash(f"sms:{purpose}:{phone}:{code}")


def sms_send(*, phone: str, purpose: str, ip: str | None = None) -> None:
    """Send a code, within the rate limits. `phone` is already validated."""
    if purpose not in PURPOSES:
        raise ValidationError({"purpose": ["未知的验证码用途"]})
    now = timezone.now()
    phone_hash = keyed_hash(phone)
    hour_ago = now - timedelta(hours=1)
    recent = SmsCode.objects.filter(phone_hash=phone_hash, created_at__gte=hour_ago)
    last = recent.order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < settings.SMS_MIN_INTERVAL_SECONDS:
        raise ValidationError({"phone": ["验证码发送太频繁，请稍后再试"]}, code="rate")
    if recent.count() >= settings.SMS_RATE_PER_PHONE_PER_HOUR:
        raise ValidationError(
            {"phone": ["该号码今天请求验证码次数过多，请一小时后再试"]}, code="rate"
        )
    if ip and (
        SmsCode.objects.filter(ip=ip, created_at__gte=hour_ago).count()
        >= settings.SMS_RATE_PER_IP_PER_HOUR
    ):
        raise ValidationError({"phone": ["请求过于频繁，请稍后再试"]}, code="rate")
    backend = get_backend()
    code = backend.code_for(phone)
    SmsCode.objects.create(
        phone_hash=phone_hash,
        purpose=purpose,
        code_hash=_code_hash(phone, purpose, code),
        ip=ip,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
    )
    minutes = settings.SMS_CODE_TTL_SECONDS // 60
    try:
        backend.send(
            phone, f"【常州工会】您的{PURPOSES[purpose]}码为 {code}，{minutes}分钟内有效。"
        )
    except SmsSendError as exc:
        raise ValidationError({"phone": ["短信发送失败，请稍后再试"]}, code="send") from exc


def sms_verify(*, phone: str, purpose: str, code: str) -> None:
    """Consume the newest live code for this phone and purpose; raise if it is wrong, expired
    or already used. Wrong guesses count against the code, so it can't be brute-forced."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({"sms_code": ["请填写短信验证码"]}, code="required")
    now = timezone.now()
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(phone_hash=keyed_hash(phone), purpose=purpose)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None:
            raise ValidationError({"sms_code": ["请先获取短信验证码"]}, code="no_code")
        if row.used_at is not None:
            raise ValidationError({"sms_code": ["验证码已使用，请重新获取"]}, code="used")
        if row.expires_at <= now:
            raise ValidationError({"sms_code": ["验证码已过期，请重新获取"]}, code="expired")
        if row.attempts >= MAX_ATTEMPTS:
            raise ValidationError({"sms_code": ["错误次数过多，请重新获取验证码"]}, code="locked")
        if not secrets.compare_digest(row.code_hash, _code_hash(phone, purpose, code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            wrong = ValidationError({"sms_code": ["验证码不正确"]}, code="wrong")
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            return
    raise wrong

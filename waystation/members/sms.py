"""SMS verification codes through a pluggable backend.

Backends (settings.SMS_BACKEND):
- "console": writes the code to the log (development);
- "test": the code is settings.SMS_TEST_CODE (tests and demos; `check --deploy` refuses it);
- a dotted path to a subclass of SmsBackend for a real provider (Aliyun, Tencent Cloud …).

A provider backend implements `code_for(phone)` (usually: a random code) and
`send(phone, text, sign=…)`, raising SmsSendError when the provider refuses (its message, if
any, is shown to the member, so it is Chinese and names no internals). Codes are stored
hashed, expire after SMS_CODE_TTL_SECONDS, are used once; sends and wrong guesses are rate
limited (settings SMS_*, see sms_send and sms_verify), per client address where one address
must not use up a limit for everyone. Every text carries the registered signature of the city
it is sent for (`City.sms_signature`: as `【…】` in front, and as `sign` for a provider that
sends templates).
"""

import logging
import secrets
from datetime import datetime, timedelta
from math import ceil

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.core.ratelimit import RateLimited
from waystation.privacy.crypto import keyed_hash
from waystation.privacy.masking import mask_phone

from .models import SmsCode, SmsGuess

log = logging.getLogger(__name__)
PURPOSES = {"join": gettext_lazy("入会验证"), "login": gettext_lazy("登录验证")}
HOUR = timedelta(hours=1)


class SmsSendError(Exception):
    pass


class SmsBackend:
    def code_for(self, phone: str) -> str:
        return f"{secrets.randbelow(10**6):06d}"

    def send(self, phone: str, text: str, *, sign: str = "") -> None:
        raise NotImplementedError


class ConsoleBackend(SmsBackend):
    def send(self, phone: str, text: str, *, sign: str = "") -> None:
        # Development only: the phone is masked even here, logs never hold personal data.
        log.warning("SMS to %s: %s", mask_phone(phone), text)
        print(f"[SMS → {mask_phone(phone)}] {text}", flush=True)


class TestBackend(SmsBackend):
    outbox: list[tuple[str, str]] = []

    def code_for(self, phone: str) -> str:
        return settings.SMS_TEST_CODE

    def send(self, phone: str, text: str, *, sign: str = "") -> None:
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


def _from_address(qs: QuerySet, ip: str | None) -> QuerySet:
    return qs.filter(ip=ip) if ip else qs.filter(ip__isnull=True)


def _wait_below(qs: QuerySet, limit: int, now: datetime) -> float | None:
    """Seconds until fewer than `limit` of the last hour's rows in `qs` remain (None: already
    fewer). When the limit-th newest row ages out of the hour, limit - 1 are left."""
    times = list(qs.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return (times[-1] + HOUR - now).total_seconds()


def sms_send(*, phone: str, purpose: str, sign: str, ip: str | None = None) -> int:
    """Send a code, within the rate limits; return the seconds until another may be requested
    from here. `phone` is already validated; `sign` is the signature of the city the code is
    for; `ip` is the client address (core.net.client_ip).

    Limits (settings, each over the last hour) are per phone *and address* wherever one address
    could otherwise use them up for everyone: a stranger requesting codes for a member's phone
    spends their own allowance, not the member's. SMS_RATE_PER_PHONE_PER_HOUR still bounds what
    all addresses together can send to one phone. Raises RateLimited with the wait."""
    if purpose not in PURPOSES:
        raise ValidationError({"purpose": ["未知的验证码用途"]})
    now = timezone.now()
    phone_hash = keyed_hash(phone)
    to_phone = SmsCode.objects.filter(phone_hash=phone_hash, created_at__gte=now - HOUR)
    from_here = _from_address(to_phone, ip)
    last = from_here.order_by("-created_at").first()
    # A code already used proved the phone: the next one (signing in just after joining) need
    # not wait for the interval.
    if last and last.used_at is None:
        wait = settings.SMS_MIN_INTERVAL_SECONDS - (now - last.created_at).total_seconds()
        if wait > 0:
            raise RateLimited("phone", _("验证码已发送，请%(wait)s后再重新获取"), wait)
    too_many = _("该号码获取验证码次数过多，请%(wait)s后再试")
    limits = [
        (from_here, settings.SMS_RATE_PER_PHONE_PER_IP_PER_HOUR, too_many),
        (to_phone, settings.SMS_RATE_PER_PHONE_PER_HOUR, too_many),
    ]
    if ip:
        limits.append(
            (
                SmsCode.objects.filter(ip=ip, created_at__gte=now - HOUR),
                settings.SMS_RATE_PER_IP_PER_HOUR,
                _("本网络获取验证码过于频繁，请%(wait)s后再试"),
            )
        )
    for qs, limit, message in limits:
        wait_s = _wait_below(qs, limit, now)
        if wait_s is not None:
            raise RateLimited("phone", message, wait_s)
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
    text = _("【%(sign)s】您的%(purpose)s码为 %(code)s，%(minutes)d分钟内有效。") % {
        "sign": sign,
        "purpose": PURPOSES[purpose],
        "code": code,
        "minutes": settings.SMS_CODE_TTL_SECONDS // 60,
    }
    try:
        backend.send(phone, text, sign=sign)
    except SmsSendError as exc:
        message = str(exc) or _("短信发送失败，请稍后再试")
        raise ValidationError({"phone": [message]}, code="send") from exc
    return settings.SMS_MIN_INTERVAL_SECONDS


def resend_wait(*, phone: str, ip: str | None) -> int:
    """Seconds until another code may be requested for `phone` from `ip` (0: now), for the
    countdown of a page drawn after a code was sent."""
    now = timezone.now()
    last = (
        _from_address(SmsCode.objects.filter(phone_hash=keyed_hash(phone)), ip)
        .order_by("-created_at")
        .first()
    )
    if last is None or last.used_at is not None:
        return 0
    return max(0, ceil(settings.SMS_MIN_INTERVAL_SECONDS - (now - last.created_at).total_seconds()))


def sms_verify(*, phone: str, purpose: str, code: str, ip: str | None = None) -> None:
    """Consume a live code for this phone and purpose; raise if it is wrong, expired or used.

    Any live code may match (not only the newest), so a stranger requesting codes for this
    phone cannot void the one the member is typing. Wrong guesses count twice: against this
    phone from this address (SMS_WRONG_GUESSES_PER_IP_PER_HOUR, then RateLimited), and against
    every live code (SMS_CODE_MAX_ATTEMPTS, from all addresses together). The first is the
    smaller, so one address cannot burn a member's code; the second bounds guessing from many."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({"sms_code": ["请填写短信验证码"]}, code="required")
    now = timezone.now()
    phone_hash = keyed_hash(phone)
    guesses = _from_address(SmsGuess.objects.filter(phone_hash=phone_hash), ip)
    wait = _wait_below(
        guesses.filter(created_at__gte=now - HOUR), settings.SMS_WRONG_GUESSES_PER_IP_PER_HOUR, now
    )
    if wait is not None:
        raise RateLimited("sms_code", _("验证码错误次数过多，请%(wait)s后再试"), wait)
    codes = SmsCode.objects.filter(phone_hash=phone_hash, purpose=purpose)
    with transaction.atomic():
        live = list(
            codes.select_for_update()
            .filter(used_at__isnull=True, expires_at__gt=now)
            .filter(attempts__lt=settings.SMS_CODE_MAX_ATTEMPTS)
            .order_by("-created_at", "-id")
        )
        if not live:
            _raise_no_live_code(codes.order_by("-created_at", "-id").first())
        hashed = _code_hash(phone, purpose, code)
        if any(secrets.compare_digest(row.code_hash, hashed) for row in live):
            # One proof is enough: the other live codes of this phone are spent with it.
            SmsCode.objects.filter(pk__in=[row.pk for row in live]).update(used_at=now)
            return
        SmsCode.objects.filter(pk__in=[row.pk for row in live]).update(attempts=F("attempts") + 1)
        SmsGuess.objects.create(phone_hash=phone_hash, ip=ip, created_at=now)
    raise ValidationError({"sms_code": ["验证码不正确"]}, code="wrong")


def _raise_no_live_code(newest: SmsCode | None) -> None:
    if newest is None:
        raise ValidationError({"sms_code": ["请先获取短信验证码"]}, code="no_code")
    if newest.used_at is not None:
        raise ValidationError({"sms_code": ["验证码已使用，请重新获取"]}, code="used")
    if newest.attempts >= settings.SMS_CODE_MAX_ATTEMPTS:
        raise ValidationError({"sms_code": ["错误次数过多，请重新获取验证码"]}, code="locked")
    raise ValidationError({"sms_code": ["验证码已过期，请重新获取"]}, code="expired")

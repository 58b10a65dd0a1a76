"""Tencent Cloud SMS (短信 SendSms, API 2021-01-11) through Tencent's own SDK.

SMS_BACKEND=waystation.members.sms_tencent.TencentSmsBackend; the SMS_TENCENT_* settings name
the account (secret id/key, SmsSdkAppId), the approved template, and the endpoint. The sign is
the one of the city the code is for (`City.sms_signature`, each approved on the account);
SMS_TENCENT_SIGN_NAME only for a text sent without one.

The provider sends an approved template, not our text: the template's parameters are filled
from SMS_TENCENT_TEMPLATE_PARAMS ("code,minutes" fits the usual verification template
"{1}为您的验证码，请于{2}分钟内填写"). The code is the one this backend issued in `code_for`.

Every failure — an error answer (bad credentials, throttling), a refused number, an HTTP error,
a timeout, an unreachable endpoint — is raised as SmsSendError with a message for the member.
Neither the code nor the full phone is ever logged: only the provider's error code and request
id, and the SDK's own debug log (which prints whole requests) is kept quiet.
"""

import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models
from tencentcloud.sms.v20210111.sms_client import SmsClient

from waystation.privacy.masking import mask_phone

from .sms import SmsBackend, SmsSendError

log = logging.getLogger(__name__)
# The SDK logs each request and response body (phone and code included) at DEBUG.
logging.getLogger("tencentcloud_sdk_common").setLevel(logging.WARNING)

TEMPLATE_PARAMS = {"code", "minutes"}
REQUIRED = (
    "SMS_TENCENT_SECRET_ID",
    "SMS_TENCENT_SECRET_KEY",
    "SMS_TENCENT_SDK_APP_ID",
    "SMS_TENCENT_TEMPLATE_ID",
)
_DIGITS = re.compile(r"\d{6,}")  # a code or a phone number inside a provider's message


def _endpoint() -> tuple[str, str]:
    """(protocol, host[:port]) of SMS_TENCENT_ENDPOINT; a bare host means HTTPS."""
    value = settings.SMS_TENCENT_ENDPOINT
    parts = urlsplit(value if "://" in value else f"https://{value}")
    return parts.scheme, parts.netloc


def _is_throttled(code: str) -> bool:
    # LimitExceeded.PhoneNumber{ThirtySecond,OneHour,Daily}Limit … for one number;
    # RequestLimitExceeded when the account calls too often.
    return code.startswith(("LimitExceeded", "RequestLimitExceeded"))


def _failure(code: str) -> SmsSendError:
    if _is_throttled(code):
        return SmsSendError(_("该手机号接收短信过于频繁，请稍后再试"))
    return SmsSendError(_("短信发送失败，请稍后再试"))


class TencentSmsBackend(SmsBackend):
    def __init__(self) -> None:
        self._codes: dict[str, str] = {}

    def configuration_errors(self) -> list[str]:
        """What `check --deploy` reports: missing settings, a plain-HTTP endpoint."""
        errors = [f"{name} is not set." for name in REQUIRED if not getattr(settings, name)]
        protocol, host = _endpoint()
        if protocol != "https" or not host:
            errors.append("SMS_TENCENT_ENDPOINT must be an https:// address.")
        unknown = set(settings.SMS_TENCENT_TEMPLATE_PARAMS) - TEMPLATE_PARAMS
        if unknown:
            errors.append(
                f"SMS_TENCENT_TEMPLATE_PARAMS may name only {sorted(TEMPLATE_PARAMS)},"
                f" not {sorted(unknown)}."
            )
        return errors

    def code_for(self, phone: str) -> str:
        code = super().code_for(phone)
        self._codes[phone] = code
        return code

    def send(self, phone: str, text: str, *, sign: str = "") -> None:
        code = self._codes.pop(phone, None)
        if code is None:  # the template needs the code this backend issued
            raise SmsSendError(_("短信发送失败，请稍后再试"))
        values = {"code": code, "minutes": str(settings.SMS_CODE_TTL_SECONDS // 60)}
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = settings.SMS_TENCENT_SDK_APP_ID
        request.SignName = sign or settings.SMS_TENCENT_SIGN_NAME
        request.TemplateId = settings.SMS_TENCENT_TEMPLATE_ID
        request.TemplateParamSet = [values[name] for name in settings.SMS_TENCENT_TEMPLATE_PARAMS]
        try:
            response = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            log.warning(
                "Tencent SMS to %s failed: %s %s (request %s)",
                mask_phone(phone),
                exc.code,
                _DIGITS.sub("…", str(exc.message or ""))[:200],
                exc.requestId,
            )
            raise _failure(exc.code or "") from exc
        statuses = response.SendStatusSet or []
        status = statuses[0] if len(statuses) == 1 else None
        if status is None or status.Code != "Ok":
            # Tencent answers HTTP 200 with a per-number status when one number is refused.
            reason = status.Code if status is not None else "NoSendStatus"
            log.warning(
                "Tencent SMS to %s refused: %s (request %s)",
                mask_phone(phone),
                reason,
                response.RequestId,
            )
            raise _failure(reason or "")

    def _client(self) -> SmsClient:
        protocol, host = _endpoint()
        http = HttpProfile(
            protocol=protocol, endpoint=host, reqTimeout=settings.SMS_TIMEOUT_SECONDS
        )
        credential = Credential(settings.SMS_TENCENT_SECRET_ID, settings.SMS_TENCENT_SECRET_KEY)
        # No region breaker: it would fall back to another endpoint than the configured one.
        profile = ClientProfile(httpProfile=http, disable_region_breaker=True)
        return SmsClient(credential, settings.SMS_TENCENT_REGION, profile)

"""The Tencent Cloud SMS backend, through Tencent's SDK, against a local fake of its API."""

import logging
import re
import socket

import pytest
from django.core.exceptions import ValidationError

from waystation.members.sms import SmsSendError, sms_send, sms_verify
from waystation.members.sms_tencent import TencentSmsBackend

from .fake_tencent_sms import FakeTencentSms

PHONE = "13812345678"
SECRET_ID = "AKIDfake0123456789abcdef"
SECRET_KEY = "fake-secret-key-0123456789"
FAILED = "短信发送失败，请稍后再试"
THROTTLED = "该手机号接收短信过于频繁，请稍后再试"


@pytest.fixture
def fake(settings, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with FakeTencentSms(secret_id=SECRET_ID, secret_key=SECRET_KEY) as server:
        settings.SMS_BACKEND = "waystation.members.sms_tencent.TencentSmsBackend"
        settings.SMS_TENCENT_SECRET_ID = SECRET_ID
        settings.SMS_TENCENT_SECRET_KEY = SECRET_KEY
        settings.SMS_TENCENT_SDK_APP_ID = "1400006666"
        settings.SMS_TENCENT_SIGN_NAME = "常州市总工会"
        settings.SMS_TENCENT_TEMPLATE_ID = "1234567"
        settings.SMS_TENCENT_TEMPLATE_PARAMS = ["code", "minutes"]
        settings.SMS_TENCENT_REGION = "ap-guangzhou"
        settings.SMS_TENCENT_ENDPOINT = server.url
        settings.SMS_TIMEOUT_SECONDS = 0.3
        yield server


def send_one() -> str:
    backend = TencentSmsBackend()
    code = backend.code_for(PHONE)
    backend.send(PHONE, f"【常州工会】您的入会验证码为 {code}，10分钟内有效。")
    return code


def test_send_is_a_signed_send_sms_call_with_the_code_as_template_parameter(fake, db):
    sms_send(phone=PHONE, purpose="join", sign="无锡工会", ip="203.0.113.9")

    [request] = fake.requests
    headers, body = request["headers"], request["body"]
    assert headers["X-TC-Action"] == "SendSms"
    assert headers["X-TC-Version"] == "2021-01-11"
    assert headers["X-TC-Region"] == "ap-guangzhou"
    assert headers["Authorization"].startswith(f"TC3-HMAC-SHA256 Credential={SECRET_ID}/")
    assert body["PhoneNumberSet"] == ["+8613812345678"]
    assert body["SmsSdkAppId"] == "1400006666"
    assert body["SignName"] == "无锡工会"  # the city's sign, not the setting's
    assert body["TemplateId"] == "1234567"
    code, minutes = body["TemplateParamSet"]
    assert re.fullmatch(r"\d{6}", code) and minutes == "10"
    sms_verify(phone=PHONE, purpose="join", code=code)  # the code sent is the code stored


def test_a_text_without_a_sign_is_sent_with_the_settings_sign(fake):
    send_one()
    assert fake.requests[0]["body"]["SignName"] == "常州市总工会"


def test_template_parameters_follow_the_setting(fake, settings):
    settings.SMS_TENCENT_TEMPLATE_PARAMS = ["code"]
    code = send_one()
    assert fake.requests[0]["body"]["TemplateParamSet"] == [code]


@pytest.mark.parametrize(
    ("answer", "change", "message"),
    [
        ("ok", {"SMS_TENCENT_SECRET_ID": "AKIDunknown"}, FAILED),  # AuthFailure.SecretIdNotFound
        ("ok", {"SMS_TENCENT_SECRET_KEY": "wrong"}, FAILED),  # AuthFailure.SignatureFailure
        ("throttled", {}, THROTTLED),  # LimitExceeded.PhoneNumberThirtySecondLimit, HTTP 200
        ("request_limit", {}, THROTTLED),  # RequestLimitExceeded
        ("http_error", {}, FAILED),  # a 502 page
        ("hang", {}, FAILED),  # no answer within SMS_TIMEOUT_SECONDS
    ],
    ids=["unknown-secret-id", "wrong-secret-key", "throttled", "request-limit", "502", "timeout"],
)
def test_provider_failures_are_send_errors_with_a_message_for_the_member(
    fake, settings, answer, change, message
):
    fake.answer = answer
    for name, value in change.items():
        setattr(settings, name, value)
    with pytest.raises(SmsSendError) as caught:
        send_one()
    assert str(caught.value) == message
    assert len(fake.requests) == 1  # no silent retry: a retry could send the code twice


def test_an_unreachable_endpoint_is_a_send_error(fake, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.SMS_TENCENT_ENDPOINT = f"http://127.0.0.1:{port}"
    with pytest.raises(SmsSendError) as caught:
        send_one()
    assert str(caught.value) == FAILED


def test_a_provider_failure_is_a_form_error_on_the_phone_never_an_exception(fake, db):
    fake.answer = "throttled"
    with pytest.raises(ValidationError) as caught:
        sms_send(phone=PHONE, purpose="login", sign="常州工会", ip="203.0.113.9")
    assert caught.value.message_dict == {"phone": [THROTTLED]}  # the provider's reason, shown


def test_neither_the_code_nor_the_phone_is_logged_even_at_debug(fake, caplog):
    caplog.set_level(logging.DEBUG)
    code = send_one()
    fake.answer = "throttled"
    with pytest.raises(SmsSendError):
        send_one()
    fake.answer = "ok"
    with pytest.raises(SmsSendError):
        TencentSmsBackend().send(PHONE, "no code_for first")  # an SDK-free failure path

    logged = caplog.text
    assert "LimitExceeded.PhoneNumberThirtySecondLimit" in logged
    assert "138****5678" in logged
    assert PHONE not in logged and code not in logged


def test_configuration_errors_name_what_is_missing(settings):
    settings.SMS_TENCENT_SECRET_KEY = ""
    settings.SMS_TENCENT_TEMPLATE_ID = ""
    settings.SMS_TENCENT_ENDPOINT = "http://sms.tencentcloudapi.com"
    settings.SMS_TENCENT_TEMPLATE_PARAMS = ["code", "phone"]
    settings.SMS_TENCENT_SECRET_ID = "AKIDx"
    settings.SMS_TENCENT_SDK_APP_ID = "1400006666"
    settings.SMS_TENCENT_SIGN_NAME = "常州市总工会"
    assert TencentSmsBackend().configuration_errors() == [
        "SMS_TENCENT_SECRET_KEY is not set.",
        "SMS_TENCENT_TEMPLATE_ID is not set.",
        "SMS_TENCENT_ENDPOINT must be an https:// address.",
        "SMS_TENCENT_TEMPLATE_PARAMS may name only ['code', 'minutes'], not ['phone'].",
    ]

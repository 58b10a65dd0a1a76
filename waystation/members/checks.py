"""Deployment check of the SMS backend (`manage.py check --deploy`).

Only a provider backend sends codes to phones. The development backends must never run in
production: "test" accepts one fixed code for every phone, "console" sends nothing and writes
every code to the log. A provider backend may say what its configuration lacks through an
optional `configuration_errors()` method.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from .sms import ConsoleBackend, SmsBackend, TestBackend, get_backend

HINT = (
    "Set SMS_BACKEND to a provider backend, e.g. waystation.members.sms_tencent.TencentSmsBackend."
)


@register(Tags.security, deploy=True)
def sms_backend(app_configs: Any, **kwargs: Any) -> list[Error]:
    name = settings.SMS_BACKEND
    try:
        backend: SmsBackend = get_backend()
    except ImportError as exc:
        return [Error(f"SMS_BACKEND={name} cannot be imported: {exc}", id="waystation.E006")]
    if isinstance(backend, TestBackend):
        return [
            Error(
                f"SMS_BACKEND={name} accepts one fixed verification code for every phone;"
                " it must not run in production.",
                hint=HINT,
                id="waystation.E001",
            )
        ]
    if isinstance(backend, ConsoleBackend):
        return [
            Error(
                f"SMS_BACKEND={name} sends no SMS and writes every verification code to the log;"
                " it must not run in production.",
                hint=HINT,
                id="waystation.E005",
            )
        ]
    problems: list[str] = getattr(backend, "configuration_errors", list)()
    return [Error(f"SMS_BACKEND={name}: {p}", id="waystation.E007") for p in problems]

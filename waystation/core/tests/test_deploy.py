import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROD = {
    "PRODUCTION": "1",
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "a-real-secret-of-sufficient-length-and-entropy-9f8e7d6c5b4a",
    "PII_KEYS": "q0m1UuJ0c8mQbkG1VqBXrK6kqkI1t9o0mQq9tJk3D0o=",
    "PII_HASH_KEY": "another-real-secret",
    "SMS_BACKEND": "waystation.members.sms_tencent.TencentSmsBackend",
    "SMS_TENCENT_SECRET_ID": "AKIDexample0123456789",
    "SMS_TENCENT_SECRET_KEY": "a-tencent-secret-key",
    "SMS_TENCENT_SDK_APP_ID": "1400006666",
    "SMS_TENCENT_SIGN_NAME": "常州市总工会",
    "SMS_TENCENT_TEMPLATE_ID": "1234567",
    "ALLOWED_HOSTS": "ws.example.org",
    "DATABASE_URL": "",
}


def check_deploy(**env):
    full = {**os.environ, **PROD, **env}
    full = {k: v for k, v in full.items() if v is not None}  # None: leave the variable unset
    full.pop("DJANGO_SETTINGS_MODULE", None)
    full.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest for Playwright, never in prod
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_production_settings():
    r = check_deploy()
    assert r.returncode == 0, r.stdout + r.stderr


def test_check_deploy_refuses_the_test_sms_backend_and_dev_keys():
    r = check_deploy(SMS_BACKEND="test", PII_KEYS="", SECRET_KEY="dev-only-x")
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "waystation.E001" in out and "waystation.E002" in out and "waystation.E003" in out


def test_check_deploy_refuses_the_console_sms_backend_which_logs_every_code():
    for backend in (
        {"SMS_BACKEND": None},
        {"SMS_BACKEND": "waystation.members.sms.ConsoleBackend"},
    ):
        r = check_deploy(**backend)
        out = r.stdout + r.stderr
        assert r.returncode != 0
        assert "waystation.E005" in out
        assert "SMS_BACKEND=" in out and "writes every verification code to the log" in out


def test_check_deploy_passes_with_the_tencent_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "sms_secret"
    secret.write_text("a-tencent-secret-key\n", encoding="utf-8")
    r = check_deploy(SMS_TENCENT_SECRET_KEY=None, SMS_TENCENT_SECRET_KEY_FILE=str(secret))
    assert r.returncode == 0, r.stdout + r.stderr


def test_check_deploy_names_the_missing_tencent_settings():
    r = check_deploy(SMS_TENCENT_SECRET_KEY=None, SMS_TENCENT_ENDPOINT="http://127.0.0.1:9")
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "SMS_TENCENT_SECRET_KEY is not set." in out
    assert "SMS_TENCENT_ENDPOINT must be an https:// address." in out

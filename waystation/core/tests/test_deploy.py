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
    "SMS_BACKEND": "waystation.members.sms.ConsoleBackend",
    "ALLOWED_HOSTS": "ws.example.org",
    "DATABASE_URL": "",
}


def check_deploy(**env):
    full = {**os.environ, **PROD, **env}
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

"""Settings, read from the environment (see README "Configuration").

SQLite is the embedded default; set DATABASE_URL=postgres://user:pass@host:port/name for PostgreSQL.
Secrets may also be given as files: FOO_FILE=/run/secrets/foo.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """A setting from the environment, or from the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    if not url or url.startswith("sqlite"):
        name = url.split("///", 1)[1] if "///" in url else str(BASE_DIR / "var" / "db.sqlite3")
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"},
        }
    parts = urlparse(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
    }


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-secret-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "waystation.core.errors.csrf_failure"  # a Chinese page, JSON under /api/
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
# The federation the site speaks for (page titles, posters); by default read from the cities
# served: the one city's federation, or their province's.
SITE_NAME = env("SITE_NAME", "")
# How many reverse proxies we run in front of the server, each appending the address it received
# from to X-Forwarded-For; the client's address is read from there (waystation/core/net.py).
# 0: clients connect directly and the header is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "waystation.core",
    "waystation.privacy",
    "waystation.jobs",
    "waystation.accounts",
    "waystation.members",
    "waystation.stations",
    "waystation.aid",
    "waystation.planner",
    "waystation.org",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "waystation.core.middleware.RejectNulMiddleware",
    "waystation.core.net.ClientAddressMiddleware",  # the address the audit log records
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "waystation.accounts.sessions.StaffSessionMiddleware",
    "waystation.members.middleware.MemberSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "waystation.core.middleware.NotInScopeMiddleware",  # NotInScope → 404, for every page
]

ROOT_URLCONF = "waystation.urls"
WSGI_APPLICATION = "waystation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "waystation" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waystation.core.context.site",
            ]
        },
    }
]

DATABASES = {"default": database_from_url(env("DATABASE_URL"))}
if env("TEST_DB_NAME"):  # parallel test runs against one server each use their own database
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME")}
# A read replica (a streaming standby of DATABASE_URL) for the reads that may lag: the public map,
# statistics, dashboards (waystation/core/dbrouter.py). Tests never create a database on it: it
# stands for the primary's test database there (MIRROR).
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_from_url(env("DATABASE_REPLICA_URL"))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True  # a kept connection it dropped: noticed
    if DATABASES["replica"]["ENGINE"].endswith("postgresql"):  # one it cannot reach: soon known
        DATABASES["replica"]["OPTIONS"] = {
            "connect_timeout": env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2)
        }
DATABASE_ROUTERS = ["waystation.core.dbrouter.LaggingReadsRouter"]  # "default" without a replica
# After a failed attempt to reach the replica, lagging reads go to the primary for this long.
DATABASE_REPLICA_RETRY_SECONDS = env_int("DATABASE_REPLICA_RETRY_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/staff/login/"
LOGIN_REDIRECT_URL = "/staff/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "waystation" / "locale"]
FORMAT_MODULE_PATH = ["waystation.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))  # collectstatic
STATICFILES_DIRS = [BASE_DIR / "waystation" / "static"]
# Outside production WhiteNoise serves static files straight from the apps (no collectstatic
# needed for `make run`); production serves the collected, hashed, compressed copies.
WHITENOISE_USE_FINDERS = not env_bool("PRODUCTION", False)
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Uploads (claim documents, photos) are never served as public static files: views stream them
# after an access check.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 90)  # members stay signed in
# Staff accounts are signed out after this long without a request (waystation/accounts/sessions.py).
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Personal data: Fernet keys (comma-separated, newest first; older keys still decrypt, so keys
# rotate by prepending) and the key of the keyed hash used for uniqueness and exact search.
PII_KEYS = env_list("PII_KEYS", "ZGV2LW9ubHktcGlpLWtleS1kby1ub3QtdXNlLTAwMDA=")
PII_HASH_KEY = env("PII_HASH_KEY", "dev-only-pii-hash-key")
PII_DEV_DEFAULTS = env("PII_KEYS") == "" or env("PII_HASH_KEY") == ""

# SMS: "console" prints codes (development), "test" uses SMS_TEST_CODE (refused in production by
# `check --deploy`), or a dotted path to a class implementing waystation.members.sms.SmsBackend.
SMS_BACKEND = env("SMS_BACKEND", "console")
SMS_TEST_CODE = env("SMS_TEST_CODE", "246810")
# Limits on codes (waystation/members/sms.py), each over the last hour; "address" is the client's
# (TRUSTED_PROXY_COUNT). Per phone *and* address wherever one address must not use a limit up
# for everyone; keep SMS_WRONG_GUESSES_PER_IP_PER_HOUR below SMS_CODE_MAX_ATTEMPTS so that
# one address can never burn a member's code.
SMS_CODE_TTL_SECONDS = env_int("SMS_CODE_TTL_SECONDS", 600)
SMS_MIN_INTERVAL_SECONDS = env_int("SMS_MIN_INTERVAL_SECONDS", 60)  # one phone, one address
SMS_RATE_PER_PHONE_PER_IP_PER_HOUR = env_int("SMS_RATE_PER_PHONE_PER_IP_PER_HOUR", 5)
SMS_RATE_PER_PHONE_PER_HOUR = env_int("SMS_RATE_PER_PHONE_PER_HOUR", 10)  # all addresses
SMS_RATE_PER_IP_PER_HOUR = env_int("SMS_RATE_PER_IP_PER_HOUR", 30)  # all phones
SMS_WRONG_GUESSES_PER_IP_PER_HOUR = env_int("SMS_WRONG_GUESSES_PER_IP_PER_HOUR", 5)
SMS_CODE_MAX_ATTEMPTS = env_int("SMS_CODE_MAX_ATTEMPTS", 10)  # one code, all addresses

CARD_TOKEN_TTL_SECONDS = env_int("CARD_TOKEN_TTL_SECONDS", 300)

# Station check-ins count only with the code of the station's own poster, or from a shared
# location at most this many metres from the station (phone GPS is off by tens of metres in town,
# more inside a building).
CHECKIN_MAX_DISTANCE_M = env_int("CHECKIN_MAX_DISTANCE_M", 300)
# A fault report still open (not acknowledged) this long is overdue: marked on the workbench.
FAULT_REPORT_OVERDUE_HOURS = env_int("FAULT_REPORT_OVERDUE_HOURS", 48)
PRIVACY_NOTICE_VERSION = "2026-01"

# Map: district boundaries are always drawn from local data; a tile layer is optional.
MAP_TILE_URL = env("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "")

# Mutual aid: an approval override above this amount (fen) waits for a second city approver
# before its payout exists; the default ¥10,000 is the example accident plan's per-incident
# medical cap, so a routine correction passes and a large manual sum gets four eyes.
AID_OVERRIDE_SECOND_APPROVER_FEN = env_int("AID_OVERRIDE_SECOND_APPROVER_FEN", 1_000_000)
# Uploaded .xlsx workbooks (waystation/core/xlsx.py): the largest sheet read, and the memory of
# the child process that reads it. Uploaded images: the most pixels (Pillow's own limit is ~89 M).
XLSX_MAX_ROWS = env_int("XLSX_MAX_ROWS", 250_000)
XLSX_MAX_COLUMNS = env_int("XLSX_MAX_COLUMNS", 100)
XLSX_MAX_CELLS = env_int("XLSX_MAX_CELLS", 5_000_000)
XLSX_MAX_BYTES = env_int("XLSX_MAX_BYTES", 400 * 1024 * 1024)
XLSX_PARSE_MEMORY_MB = env_int("XLSX_PARSE_MEMORY_MB", 2048)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 50_000_000)

# Background jobs run in `manage.py run_jobs` (started by `make run`); JOBS_EAGER runs them inline.
JOBS_EAGER = env_bool("JOBS_EAGER", False)
# Finished (done or failed) jobs are deleted this many days after they finished.
JOBS_RETENTION_DAYS = env_int("JOBS_RETENTION_DAYS", 180)

# How long rows of the tables that grow without end are kept, in months (waystation/core/
# partitions.py: `manage.py partitions --prune`). Audit rows leave only by whole partitions.
WAYSTATION_RETENTION_MONTHS = {
    "stations_visit": env_int("RETENTION_MONTHS_VISITS", 36),
    "privacy_auditlog": env_int("RETENTION_MONTHS_AUDIT", 72),
    "members_smscode": 1,  # codes live minutes; the rate limits look back an hour
    "members_smsguess": 1,
}

# Provider calls give up after this many seconds (the member is told to try again).
SMS_TIMEOUT_SECONDS = float(env("SMS_TIMEOUT_SECONDS", "5"))
# Tencent Cloud SMS: SMS_BACKEND=waystation.members.sms_tencent.TencentSmsBackend.
SMS_TENCENT_SECRET_ID = env("SMS_TENCENT_SECRET_ID")
SMS_TENCENT_SECRET_KEY = env("SMS_TENCENT_SECRET_KEY")
SMS_TENCENT_SDK_APP_ID = env("SMS_TENCENT_SDK_APP_ID")
SMS_TENCENT_SIGN_NAME = env("SMS_TENCENT_SIGN_NAME")
SMS_TENCENT_TEMPLATE_ID = env("SMS_TENCENT_TEMPLATE_ID")
SMS_TENCENT_TEMPLATE_PARAMS = env_list("SMS_TENCENT_TEMPLATE_PARAMS", "code,minutes")
SMS_TENCENT_REGION = env("SMS_TENCENT_REGION", "ap-guangzhou")
SMS_TENCENT_ENDPOINT = env("SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com")

PRODUCTION = env_bool("PRODUCTION", False)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

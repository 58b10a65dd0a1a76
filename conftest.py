"""Shared fixtures: the organisation tree, named people for permission cases, a browser.

People (healthchecks' Alice/Bob/Charlie, union edition):
- alice   — union staff of the 天宁 district federation (the owner unit in most cases)
- bob     — union staff of the same 天宁 unit (a colleague)
- charlie — union staff of the 钟楼 district federation (same level, other unit)
- dora    — union staff of the 外卖送餐 industry union
- carl    — union staff at the city federation
- admin   — city administrator
- olga    — signed in, but no role at all (an outsider)
- lily    — platform liaison for 美团
and, as a fixture of her own, kim — a station keeper on the 天宁 unit.
"""

import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop beside the ORM

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _settings_for_tests(request, tmp_path):
    if not request.config.pluginmanager.hasplugin("django"):
        return  # the pure-Python packages (geo, planning) run without Django too
    settings = request.getfixturevalue("settings")
    settings.SMS_BACKEND = "test"
    settings.SMS_TEST_CODE = "246810"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_configure(config):
    """Changzhou's federation and the station services (reference rows) are in every test
    database: loaded after the migrations and again after each flush of a transactional test
    (Django re-emits post_migrate then)."""
    if not config.pluginmanager.hasplugin("django"):
        return
    from django.db.models.signals import post_migrate

    post_migrate.connect(_changzhou_after_migrate, dispatch_uid="waystation-tests-changzhou")


def _changzhou_after_migrate(sender, app_config=None, using="default", **kwargs):
    if app_config is None or app_config.label != "stations":
        return  # the last of the two apps whose rows it needs
    from waystation.accounts.demo import changzhou_ensure
    from waystation.stations.catalogue import services_ensure

    changzhou_ensure()
    services_ensure()
    _roster_aliases_ensure()


def _roster_aliases_ensure():
    """The rows migration 0012 wrote, again after a flush (a transactional test empties them)."""
    from waystation.members.models import RosterAlias
    from waystation.members.starting_aliases import STARTING_ALIASES

    RosterAlias.objects.bulk_create(
        [RosterAlias(kind=k, city_adcode=c, alias=a, means=m) for k, c, a, m in STARTING_ALIASES],
        ignore_conflicts=True,
    )


@pytest.fixture
def orgs(db):
    from waystation.accounts.demo import changzhou_ensure

    return changzhou_ensure()


@pytest.fixture
def wuxi(db):
    """A second city federation (无锡, two districts, no polygons): for the two-city cases."""
    from waystation.accounts.cities import CitySeed, DistrictSeed, ProvinceSeed, city_add

    return city_add(
        CitySeed(
            adcode="320200",
            name="无锡市",
            province=ProvinceSeed(adcode="320000", name="江苏省"),
            boundary=None,
            districts=(
                DistrictSeed(code="320213", name="梁溪区", adcode="320213", boundary=None),
                DistrictSeed(code="320205", name="锡山区", adcode="320205", boundary=None),
            ),
        )
    )


@pytest.fixture
def wuxi_people(wuxi, orgs):
    """wanda — union staff of 无锡's city federation; wade — 无锡's city administrator;
    wes — union staff of 梁溪区; pam — union staff of the 江苏 province federation."""
    from django.contrib.auth import get_user_model

    from waystation.accounts.cities import province_unit_ensure
    from waystation.accounts.models import Province, StaffRole

    User = get_user_model()
    R = StaffRole.Role

    def staff(username, role, unit):
        user = User.objects.create_user(username, password="pw-" + username)
        StaffRole.objects.create(user=user, role=role, unit=unit)
        return user

    province = province_unit_ensure(Province.objects.get(adcode="320000"))
    return People(
        wanda=staff("wanda", R.UNION_STAFF, wuxi["city"]),
        wade=staff("wade", R.CITY_ADMIN, wuxi["city"]),
        wes=staff("wes", R.UNION_STAFF, wuxi["320213"]),
        pam=staff("pam", R.UNION_STAFF, province),
    )


class People(dict):
    def __getattr__(self, name):
        return self[name]


@pytest.fixture
def people(orgs):
    from django.contrib.auth import get_user_model

    from waystation.accounts.models import Platform, StaffRole

    User = get_user_model()

    def staff(username, role, unit, platform=None):
        user = User.objects.create_user(username, password="pw-" + username)
        if role:
            StaffRole.objects.create(user=user, role=role, unit=unit, platform=platform)
        return user

    R = StaffRole.Role
    return People(
        alice=staff("alice", R.UNION_STAFF, orgs["tianning"]),
        bob=staff("bob", R.UNION_STAFF, orgs["tianning"]),
        charlie=staff("charlie", R.UNION_STAFF, orgs["zhonglou"]),
        dora=staff("dora", R.UNION_STAFF, orgs["food_delivery"]),
        carl=staff("carl", R.UNION_STAFF, orgs["city"]),
        admin=staff("admin", R.CITY_ADMIN, orgs["city"]),
        olga=staff("olga", None, None),
        lily=staff(
            "lily", R.PLATFORM_LIAISON, orgs["food_delivery"], Platform.objects.get(code="meituan")
        ),
    )


@pytest.fixture
def kim(orgs):
    """A station keeper on the 天宁 unit; which stations she keeps is the test's to say."""
    from django.contrib.auth import get_user_model

    from waystation.accounts.models import StaffRole

    user = get_user_model().objects.create_user("kim", password="pw-kim")  # noqa: S106 - test
    StaffRole.objects.create(user=user, role=StaffRole.Role.STATION_KEEPER, unit=orgs["tianning"])
    return user


def client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def as_user():
    return client_for


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs /usr/bin/chromium for browser tests (scripts/chromium.sh)")
        pytest.skip("chromium not installed: run scripts/chromium.sh")
    from playwright.sync_api import sync_playwright

    # the site's service worker fetches through the context too, so that set_offline(True)
    # reaches it (core/tests/test_browser_shell.py opens the e-card with no signal)
    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def _phone(browser, **extra):
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        **extra,
    )
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return ctx, page


@pytest.fixture
def phone_page(browser):
    """A page at a phone's viewport (iPhone 12-ish), Chinese locale, Shanghai time."""
    ctx, page = _phone(browser)
    yield page
    ctx.close()


@pytest.fixture
def phone_page_without_sw(browser):
    """The phone page with the service worker blocked: for a test that fakes the network with
    page.route, which never sees what a service worker fetches."""
    ctx, page = _phone(browser, service_workers="block")
    yield page
    ctx.close()


@pytest.fixture
def desk_page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15000)
    yield page
    ctx.close()


class Cluster:
    """A PostgreSQL cluster of a test's own, run by scripts/postgres.sh: never the test database's,
    so a test may crash, restart or reset it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.dir = base / "cluster"
        with socket.socket() as s:  # a free port (PostgreSQL binds it a moment later)
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"postgres://waystation@127.0.0.1:{self.port}/waystation"

    def script(self, command: str) -> str:
        """Run `scripts/postgres.sh COMMAND` for this cluster; its output (the URL for start)."""
        env = {**os.environ, "PGTEST_DIR": str(self.dir), "PGTEST_PORT": str(self.port)}
        return subprocess.run(  # noqa: S603 - our own script
            [Path(__file__).parent / "scripts" / "postgres.sh", command],
            env=env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip

    def postmaster_pid(self) -> int:
        return int((self.dir / "data" / "postmaster.pid").read_text().split()[0])


@pytest.fixture
def own_cluster():
    base = Path(tempfile.mkdtemp(prefix="waystation-pg-"))
    base.chmod(0o755)  # as root the cluster belongs to an unprivileged user, who must get in
    cluster = Cluster(base)
    yield cluster
    cluster.script("stop")
    shutil.rmtree(base, ignore_errors=True)


class ProcessLog:
    """The lines a subprocess writes, read by a thread; a test waits for them with a deadline
    instead of sleeping."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put("")  # end of output: the process exited

    def wait_for(self, text: str, n: int = 1, timeout: float = 60) -> list[str]:
        """The first n lines containing text, once they have been written."""
        while len(found := [line for line in self.lines if text in line]) < n:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no {text!r} in the process's output:\n" + "".join(self.lines))
            if not line:
                pytest.fail(f"the process ended before {text!r}:\n" + "".join(self.lines))
            self.lines.append(line)
        return found[:n]


@pytest.fixture
def follow():
    """follow(proc.stdout) -> ProcessLog."""
    return ProcessLog


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL: on SQLite they are skipped, loudly, except in CI
    where SQLite is not allowed at all."""
    from django.conf import settings

    if not settings.configured:  # e.g. `-p no:django` for the pure-Python packages
        return
    on_pg = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if on_pg:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError("CI=true: the suite must run on PostgreSQL (DATABASE_URL)")
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks/concurrency); SQLite run")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)

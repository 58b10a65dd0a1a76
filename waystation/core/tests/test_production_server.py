"""The README's deployment, done as an IT department would: `collectstatic` with PRODUCTION=1,
then a production gunicorn serving the public pages behind an HTTPS proxy (simulated by sending
the headers the proxy sends)."""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
HOST = "ws.example.org"
PROXY = {"Host": HOST, "X-Forwarded-Proto": "https"}  # what the HTTPS proxy in front sends


def production_env(**extra: str) -> dict[str, str]:
    """A production environment with real keys made for this run (never the dev defaults)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        PRODUCTION="1",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        PII_KEYS=Fernet.generate_key().decode(),
        PII_HASH_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    r = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT, env=production_env(STATIC_ROOT=str(root), DATABASE_URL=""),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    return root


def test_collectstatic_in_production_hashes_every_vendored_file(static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    vendored = ROOT / "waystation" / "static"
    for path in (vendored / "vendor").rglob("*"):
        if path.is_file() and path.suffix in {".js", ".css", ".map", ".png"}:
            name = path.relative_to(vendored).as_posix()
            assert (static_root / manifest[name]).is_file(), name
    # the reference at the end of leaflet.js now names the hashed map, which exists
    leaflet = (static_root / manifest["vendor/leaflet/leaflet.js"]).read_text()
    mapped = re.search(r"//# sourceMappingURL=(\S+)\s*$", leaflet).group(1)
    assert mapped == Path(manifest["vendor/leaflet/leaflet.js.map"]).name


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    user = quote(s["USER"] or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def server(static_root, transactional_db):
    """gunicorn started as the README says, on a socket bound here (so no port is guessed and the
    first request simply waits in the listen queue until a worker accepts it)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    env = production_env(STATIC_ROOT=str(static_root), DATABASE_URL=_database_url())
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "waystation.wsgi:application",
            "--bind", f"fd://{listener.fileno()}", "--workers", "2",
            "--forwarded-allow-ips", "127.0.0.1", "--error-logfile", "-",
        ],
        cwd=ROOT, env=env, pass_fds=[listener.fileno()],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    port = listener.getsockname()[1]
    listener.close()  # gunicorn holds its own copy

    def get(path: str, headers: dict | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers=PROXY if headers is None else headers)
        response = conn.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        conn.close()
        return response

    yield get
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert "Internal Server Error" not in out, out  # django.request's log line of every 500


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


@pytest.mark.postgres
def test_production_gunicorn_serves_the_public_pages_and_their_static_files(server, orgs, people):
    from waystation.members.models import Campaign
    from waystation.stations import services

    Campaign.objects.create(code="street-1", name="南大街扫码入会", unit=orgs["tianning"])
    hours = [[["08:00", "20:00"]]] * 7
    data = {"name": "红梅驿站", "weekly_hours": hours, "services": ["water"]}
    services.station_create(code="TN001", lon=119.99, lat=31.78, data=data, actor=people.admin)

    pages = {
        "/": "常州",
        "/join/street-1/": "南大街扫码入会",
        "/stations/": "leaflet",
        "/stations/TN001/": "红梅驿站",
    }
    static: set[str] = set()
    for path, text in pages.items():
        r = server(path)
        html = r.body.decode()
        assert (r.status, text in html) == (200, True), (path, r.status, html[:2000])
        assert r.getheader("Strict-Transport-Security", "").startswith("max-age=31536000")
        static.update(_static_urls(html))

    # every static file the pages name is served under its hashed name, cacheable for ever
    assert any("/vendor/leaflet/leaflet." in url and url.endswith(".js") for url in static)
    assert any(url.endswith(".css") for url in static)
    for url in sorted(static):
        assert re.search(r"\.[0-9a-f]{12}\.(js|css|svg|png)$", url), url
        r = server(url)
        assert r.status == 200, url
        assert "max-age=315360000" in r.getheader("Cache-Control", ""), url
        assert len(r.body) > 100, url

    r = server("/api/v1/openapi.json")
    assert r.status == 200
    assert "/api/v1/stations" in json.loads(r.body)["paths"]


@pytest.mark.postgres
def test_production_gunicorn_redirects_plain_http_and_refuses_unknown_hosts(server, orgs):
    r = server("/", headers={"Host": HOST})  # the proxy's plain-HTTP side, or no proxy at all
    assert (r.status, r.getheader("Location")) == (301, f"https://{HOST}/")
    r = server("/", headers={"Host": "evil.example.com", "X-Forwarded-Proto": "https"})
    assert r.status == 400

"""Lagging reads against a real PostgreSQL streaming standby of the test database's cluster,
started by `scripts/postgres.sh replica` beside it (as in production: DATABASE_REPLICA_URL).

The standby is a copy of the whole cluster, so the test database exists on it under the same
name: the "replica" alias is default's settings with the standby's port. A row written on the
primary is read from the standby once it has been replayed there, which each test waits for.
"""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import InternalError, connections, router
from django.test import Client
from django.test.utils import CaptureQueriesContext

from waystation.core.dbrouter import lagging_reads
from waystation.members.tests.factories import make_member
from waystation.stations import index, layer, services
from waystation.stations.models import Station

from .databases import database_alias, free_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "postgres.sh"
REPLAY_TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module", autouse=True)
def standby(django_db_setup):
    """A standby of the cluster that holds the test database, in a directory of its own; the
    "replica" alias points at it. Stopped and deleted after the module."""
    primary = connections["default"].settings_dict
    if primary["HOST"] not in ("127.0.0.1", "localhost"):
        pytest.fail(f"needs the suite's database on this machine, not {primary['HOST']}")
    base = Path(tempfile.mkdtemp(prefix="waystation-standby-"))
    base.chmod(0o755)  # as root the standby belongs to an unprivileged user, who must get in
    env = {
        **os.environ,
        "PGTEST_PORT": str(primary["PORT"]),
        "PGTEST_REPLICA_DIR": str(base / "standby"),
        "PGTEST_REPLICA_PORT": str(free_port()),
    }

    def script(command: str) -> str:
        done = subprocess.run(
            [SCRIPT, command], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            pytest.fail(f"scripts/postgres.sh {command} failed:\n{done.stderr}")
        return done.stdout.strip()

    url = script("replica")
    port = url.rsplit(":", 1)[1].split("/")[0]
    try:
        with database_alias("replica", HOST="127.0.0.1", PORT=port):
            yield
    finally:
        index.rebuild_wait(timeout=30)  # a rebuild thread may be reading from the standby
        script("replica-stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_station_caches(monkeypatch, settings):
    settings.STATIONS_INDEX_CHECK_SECONDS = 0
    monkeypatch.setattr(index, "_current", None)  # the next index is built inline
    layer.cache_clear()
    yield
    index.rebuild_wait(timeout=30)


def replayed() -> None:
    """Returns once the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cur:
        # The insert position, not the write position: the test cluster commits asynchronously
        # (synchronous_commit=off), so a commit may still be in the WAL buffers, not yet sent.
        cur.execute("SELECT pg_current_wal_insert_lsn()")
        (lsn,) = cur.fetchone()
    deadline = time.monotonic() + REPLAY_TIMEOUT_SECONDS
    with connections["replica"].cursor() as cur:
        while True:
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cur.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"the standby has not replayed {lsn} in {REPLAY_TIMEOUT_SECONDS} s")
            time.sleep(0.02)


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        return cur.fetchone()[0]


def tables(queries: CaptureQueriesContext) -> str:
    return " ".join(q["sql"] for q in queries)


@pytest.fixture
def station(people):
    station = services.station_create(
        code="TN001",
        lon=119.99,
        lat=31.78,
        data={"name": "天宁驿站", "weekly_hours": [[["08:00", "20:00"]]] * 7},
        actor=people.admin,
    )
    replayed()
    return station


def test_a_lagging_read_is_answered_by_the_standby(station):
    with lagging_reads():
        alias = router.db_for_read(Station)
        assert in_recovery(alias)  # the connection the router chose is the standby's
        assert Station.objects.get(code="TN001").name == "天宁驿站"
    assert alias == "replica"
    assert router.db_for_read(Station) == "default"
    assert not in_recovery(router.db_for_read(Station))


def test_the_public_station_pages_and_the_map_layer_read_from_the_standby(station):
    client = Client()
    on_primary = CaptureQueriesContext(connections["default"])
    on_replica = CaptureQueriesContext(connections["replica"])
    with on_primary, on_replica:
        assert client.get("/stations/").status_code == 200
        detail = client.get("/stations/TN001/")
        layer_ = client.get("/api/v1/stations")
        nearest = client.get("/api/v1/stations/nearest", {"lon": 119.99, "lat": 31.78})
    assert "天宁驿站" in detail.content.decode()
    assert [f["properties"]["code"] for f in layer_.json()["features"]] == ["TN001"]
    assert [hit["code"] for hit in nearest.json()] == ["TN001"]
    assert "stations_station" in tables(on_replica)
    assert "stations_registryversion" in tables(on_replica)  # the layer's and index's stamp
    assert "stations_" not in tables(on_primary)


def test_the_statistics_pages_read_from_the_standby(people, as_user):
    make_member()
    client = as_user(people.admin)  # signs in on the primary: the session is read there
    replayed()
    on_primary = CaptureQueriesContext(connections["default"])
    on_replica = CaptureQueriesContext(connections["replica"])
    with on_primary, on_replica:
        for page in ("/", "/staff/", "/staff/stats/", "/staff/aid/stats/"):
            assert client.get(page).status_code == 200, page
    assert "members_member" in tables(on_replica)
    assert "aid_" in tables(on_replica)
    # on the primary only who is asking: the session, the account, its roles
    for q in on_primary:
        assert any(t in q["sql"] for t in ("django_session", "auth_user", "accounts_")), q


def test_a_write_in_a_lagging_block_goes_to_the_primary(station):
    with lagging_reads(), CaptureQueriesContext(connections["replica"]) as on_replica:
        assert Station.objects.get(code="TN001").name == "天宁驿站"  # from the standby
        Station.objects.filter(code="TN001").update(name="天宁驿站（新）")
        assert Station.objects.get(code="TN001").name == "天宁驿站（新）"  # its own write
    assert [q["sql"].split()[0] for q in on_replica] == ["SELECT"]
    assert Station.objects.get(code="TN001").name == "天宁驿站（新）"


def test_the_standby_refuses_a_write(station):
    with pytest.raises(InternalError) as refused:
        Station.objects.using("replica").filter(code="TN001").update(name="改不了")
    assert refused.value.__cause__.sqlstate == "25006"  # read_only_sql_transaction
    assert Station.objects.get(code="TN001").name == "天宁驿站"


@contextmanager
def replay_paused() -> Iterator[None]:
    """The standby's replay paused for the block (it lags from here on), resumed after it."""
    with connections["replica"].cursor() as cur:
        cur.execute("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + REPLAY_TIMEOUT_SECONDS
        while True:  # the pause takes effect at the next WAL record the standby reaches
            cur.execute("SELECT pg_get_wal_replay_pause_state()")
            if cur.fetchone()[0] == "paused":
                break
            if time.monotonic() > deadline:
                pytest.fail("the standby's replay did not pause")
            time.sleep(0.02)
    try:
        yield
    finally:
        with connections["replica"].cursor() as cur:
            cur.execute("SELECT pg_wal_replay_resume()")
        replayed()


@pytest.fixture
def paused():
    with replay_paused():
        yield


def test_while_the_standby_lags_the_map_shows_its_registry_and_other_reads_the_primarys(
    station, paused, people
):
    services.station_create(
        code="TN002", lon=120.0, lat=31.77, data={"name": "新驿站"}, actor=people.admin
    )
    layer_ = Client().get("/api/v1/stations")
    assert [f["properties"]["code"] for f in layer_.json()["features"]] == ["TN001"]
    assert sorted(Station.objects.values_list("code", flat=True)) == ["TN001", "TN002"]


def test_an_index_rebuild_a_lagging_read_starts_reads_the_standby_too(station, people):
    with lagging_reads():
        built = index.station_index()  # the first of the process: built inline, from the standby
    services.station_create(
        code="TN002", lon=120.0, lat=31.77, data={"name": "新驿站"}, actor=people.admin
    )
    replayed()
    with replay_paused():
        services.station_create(
            code="TN003", lon=120.01, lat=31.77, data={"name": "更新的驿站"}, actor=people.admin
        )
        with lagging_reads():
            assert index.station_index() is built  # the standby's stamp moved: rebuilt aside
        assert index.rebuild_wait(timeout=30)
        with lagging_reads():
            rebuilt = index.station_index()
        assert rebuilt is not built
        assert sorted(rebuilt.codes[r] for r in range(rebuilt.size)) == ["TN001", "TN002"]

"""The lagging-reads router (core/dbrouter.py) without a standby: where it sends each read and
write with no replica, with a "replica" that is the primary's test database itself (so which
connection ran a query shows what the router chose), and with one that cannot be reached.
test_read_replica.py runs the same against a real streaming standby.

The tests commit (transaction=True): inside a test's transaction on the primary, reads never go
to the replica, which is one of the rules tested here."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from waystation.accounts.models import StaffRole
from waystation.aid import api as aid_api
from waystation.core import dbrouter
from waystation.core.dbrouter import lagging_reads
from waystation.core.tests.test_prg_coverage import handles_post, site_pages
from waystation.members import api as members_api
from waystation.members.middleware import SESSION_KEY as MEMBER_KEY
from waystation.members.tests.factories import make_member
from waystation.stations import api as stations_api
from waystation.stations.models import Station

from .databases import database_alias, free_port

LAGGING_PAGES = {
    "core:home",
    "core:staff_home",
    "stations:map",
    "stations:nearest",
    "stations:detail",
    "stations:photo",
    "members:stats",
    "aid:stats",
}


pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(scope="module", autouse=True)
def _replica(django_db_setup):
    """DATABASES["replica"] for this module's tests: the primary's test database itself."""
    with database_alias("replica"):
        yield


@pytest.fixture(autouse=True)
def _replica_not_marked_down(monkeypatch):
    monkeypatch.setattr(dbrouter, "_replica_down_until", 0.0)


@pytest.fixture
def mirror():
    return connections["replica"]


@pytest.fixture
def no_replica(monkeypatch):
    monkeypatch.delitem(connections.settings, "replica")


@pytest.fixture
def unreachable(monkeypatch, mirror):
    """The replica on a port nothing listens on."""
    port = free_port()
    mirror.close()
    monkeypatch.setitem(
        mirror.settings_dict,
        "OPTIONS",
        {**mirror.settings_dict["OPTIONS"], "connect_timeout": 2},
    )
    monkeypatch.setitem(mirror.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(mirror.settings_dict, "PORT", str(port))
    yield
    mirror.close()


def read_station_codes():
    return list(Station.objects.values_list("code", flat=True))


def test_without_a_replica_every_read_goes_to_the_primary(no_replica):
    assert "replica" not in connections
    with lagging_reads():
        assert router.db_for_read(Station) == "default"
        assert read_station_codes() == []


def test_reads_in_a_lagging_block_go_to_the_replica(mirror):
    with lagging_reads(), CaptureQueriesContext(mirror) as on_replica:
        assert router.db_for_read(Station) == "replica"
        read_station_codes()
    assert len(on_replica) == 1
    assert "stations_station" in on_replica[0]["sql"]


def test_reads_outside_a_lagging_block_go_to_the_primary(mirror):
    with CaptureQueriesContext(mirror) as on_replica:
        assert router.db_for_read(Station) == "default"
        read_station_codes()
    assert len(on_replica) == 0


def rename_none():
    """A write (an UPDATE that matches no row)."""
    return Station.objects.filter(code="NONE").update(name="无")


def test_a_write_in_a_lagging_block_goes_to_the_primary_and_its_reads_follow(mirror):
    with lagging_reads(), CaptureQueriesContext(mirror) as on_replica:
        assert router.db_for_read(Station) == "replica"
        assert router.db_for_write(Station) == "default"
        with CaptureQueriesContext(connections["default"]) as on_primary:
            rename_none()
            read_station_codes()  # to see the write just made
    assert on_replica.captured_queries == []
    assert [q["sql"].split()[0] for q in on_primary] == ["UPDATE", "SELECT"]


def test_who_is_asking_is_read_from_the_primary_in_a_lagging_block():
    with lagging_reads():
        for model in (User, Session, StaffRole):
            assert router.db_for_read(model) == "default", model
        assert router.db_for_read(Station) == "replica"


def test_reads_inside_a_transaction_on_the_primary_stay_there_after_it_too():
    with lagging_reads():
        with transaction.atomic():
            assert router.db_for_read(Station) == "default"
        assert router.db_for_read(Station) == "default"


@pytest.mark.django_db(databases=["default", "replica"])  # in a transaction, rolled back
def test_a_tests_own_transaction_keeps_reads_on_the_primary():
    with lagging_reads():
        assert router.db_for_read(Station) == "default"


def test_nested_blocks_read_where_the_outer_one_reads():
    with lagging_reads():
        rename_none()  # the outer block has written: it reads from the primary now
        with lagging_reads():
            assert router.db_for_read(Station) == "default"


def test_the_primary_holds_the_schema_and_objects_of_both_may_be_related():
    assert router.allow_migrate("default", "stations")
    assert not router.allow_migrate("replica", "stations")
    on_primary, on_replica = Station(), Station()
    on_primary._state.db, on_replica._state.db = "default", "replica"
    assert router.allow_relation(on_primary, on_replica)


@pytest.mark.postgres  # a connection refused (SQLite has no server to be away)
def test_a_replica_that_cannot_be_reached_leaves_the_reads_on_the_primary(
    unreachable, caplog, settings
):
    settings.DATABASE_REPLICA_RETRY_SECONDS = 3600
    with caplog.at_level(logging.WARNING, logger="waystation.core.dbrouter"):
        with lagging_reads():
            assert router.db_for_read(Station) == "default"
            assert read_station_codes() == []
        assert Client().get("/stations/").status_code == 200
    # one line for the failed attempt; the page after it did not try again
    assert len(caplog.records) == 1
    assert (
        caplog.records[0]
        .getMessage()
        .startswith("read replica unavailable, reading from the primary for 3600s: ")
    )


@pytest.mark.postgres
def test_after_the_pause_the_replica_is_tried_again(unreachable, caplog, settings):
    settings.DATABASE_REPLICA_RETRY_SECONDS = 0
    with caplog.at_level(logging.WARNING, logger="waystation.core.dbrouter"):
        for _ in range(2):
            with lagging_reads():
                assert router.db_for_read(Station) == "default"
    assert len(caplog.records) == 2


def test_the_signed_in_member_is_read_from_the_primary_on_a_lagging_page(mirror, orgs):
    member = make_member()
    client = Client()
    session = client.session
    session[MEMBER_KEY] = member.pk
    session.save()
    on_primary = CaptureQueriesContext(connections["default"])
    on_replica = CaptureQueriesContext(mirror)
    with on_primary, on_replica:
        response = client.get("/stations/")
    assert response.status_code == 200
    assert response.context["member"] == member  # signed in: the page says so
    assert any("members_member" in q["sql"] for q in on_primary)
    assert [q["sql"] for q in on_replica if "members_member" in q["sql"]] == []
    assert any("stations_station" in q["sql"] for q in on_replica)


def test_only_pages_that_never_take_a_post_read_lagging():
    pages = site_pages()
    lagging = {name for name, view in pages.items() if getattr(view, "reads_lagging", False)}
    assert lagging == LAGGING_PAGES
    assert [name for name in sorted(lagging) if handles_post(pages[name])] == []


def test_the_api_reads_lagging_for_the_map_layer_and_nearest_stations_only():
    lagging = {
        (path, method)
        for api in (aid_api, members_api, stations_api)
        for path, path_view in api.router.path_operations.items()
        for op in path_view.operations
        for method in op.methods
        if getattr(op.view_func, "reads_lagging", False)
    }
    assert lagging == {("/stations", "GET"), ("/stations/nearest", "GET")}


def settings_databases(**env: str) -> dict:
    """DATABASES and DATABASE_ROUTERS as settings.py makes them from this environment."""
    code = (
        "import json, waystation.settings as s; "
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS}))"
    )
    full = {**os.environ, "DATABASE_URL": "", "DATABASE_REPLICA_URL": "", **env}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[3],
        env=full,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_settings_add_the_replica_from_its_url_as_a_test_mirror_of_default():
    made = settings_databases(
        DATABASE_URL="postgres://ws@db1:5432/waystation",
        DATABASE_REPLICA_URL="postgres://ws@db2:5433/waystation",
    )
    replica = made["databases"]["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("db2", "5433", "waystation")
    assert replica["TEST"] == {"MIRROR": "default"}  # the test runner makes no database there
    assert replica["OPTIONS"] == {"connect_timeout": 2}
    assert made["routers"] == ["waystation.core.dbrouter.LaggingReadsRouter"]


def test_settings_without_a_replica_url_have_no_replica_but_the_router():
    made = settings_databases(DATABASE_URL="postgres://ws@db1:5432/waystation")
    assert list(made["databases"]) == ["default"]
    assert made["routers"] == ["waystation.core.dbrouter.LaggingReadsRouter"]

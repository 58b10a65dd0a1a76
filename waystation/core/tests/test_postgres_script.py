"""scripts/postgres.sh keeps a crashed test cluster's data; only `reset` deletes it."""

import os
import signal

import psycopg
import pytest

pytestmark = pytest.mark.postgres


def test_start_after_a_crash_restarts_the_cluster_with_its_data(own_cluster):
    url = own_cluster.script("start")
    with psycopg.connect(url, autocommit=True) as conn:
        # The test cluster runs with synchronous_commit off, which may lose the last moment's
        # commits in a crash (never the cluster): this row is to survive.
        conn.execute("SET synchronous_commit = on")
        conn.execute("CREATE TABLE kept (n int)")
        conn.execute("INSERT INTO kept VALUES (42)")
    os.kill(own_cluster.postmaster_pid(), signal.SIGKILL)  # postmaster.pid stays behind

    assert own_cluster.script("start") == url
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT n FROM kept").fetchall() == [(42,)]


def test_reset_gives_an_empty_cluster(own_cluster):
    url = own_cluster.script("start")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (n int)")

    assert own_cluster.script("reset") == url
    with psycopg.connect(url) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchall() == []

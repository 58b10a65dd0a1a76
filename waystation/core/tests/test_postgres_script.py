"""scripts/postgres.sh keeps a crashed test cluster's data; only `reset` deletes it. Its standby
(`replica`) streams from the cluster and is made afresh when the cluster is."""

import os
import signal
import time

import psycopg
import pytest

from .databases import free_port

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


def _system_id(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT system_identifier FROM pg_control_system()").fetchone()[0]


def test_replica_streams_from_the_cluster_is_reused_and_made_anew_after_a_reset(
    own_cluster, monkeypatch
):
    monkeypatch.setenv("PGTEST_REPLICA_PORT", str(free_port()))
    standby_dir = own_cluster.base / "cluster-replica"  # $PGTEST_DIR-replica
    url = own_cluster.script("start")
    replica_url = own_cluster.script("replica")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (n int)")
        conn.execute("INSERT INTO kept VALUES (42)")
        (lsn,) = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()
    with psycopg.connect(replica_url, autocommit=True) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        for _ in range(3000):  # bounded: a minute at most
            if conn.execute("SELECT pg_last_wal_replay_lsn() >= %s", [lsn]).fetchone()[0]:
                break
            time.sleep(0.02)
        else:
            pytest.fail(f"the standby has not replayed {lsn}")
        assert conn.execute("SELECT n FROM kept").fetchall() == [(42,)]
    pid = (standby_dir / "data" / "postmaster.pid").read_text().split()[0]

    assert own_cluster.script("replica") == replica_url  # still running, still this cluster's
    assert (standby_dir / "data" / "postmaster.pid").read_text().split()[0] == pid

    own_cluster.script("reset")  # a new cluster: the old standby goes with the old one
    assert not standby_dir.exists()
    replica_url = own_cluster.script("replica")
    assert _system_id(replica_url) == _system_id(url)

    own_cluster.script("replica-stop")
    assert not standby_dir.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(replica_url, connect_timeout=2)

"""The nearest index is rebuilt off the request path: queries keep the previous index while one
background thread builds the next. These tests commit (transactional_db), since the rebuild
thread reads through its own connection and sees only committed rows."""

import threading

import pytest

from waystation.stations import index
from waystation.stations.catalogue import catalogue
from waystation.stations.selectors import stations_nearest

from .conftest import TIANNING


@pytest.fixture
def cold(monkeypatch, transactional_db):
    """A process that has not built its index yet."""
    monkeypatch.setattr(index, "_current", None)
    yield
    index.rebuild_wait(timeout=30)


@pytest.fixture
def held_builds(monkeypatch):
    """Builds that wait for `release` after reading the registry stamp; counts them."""
    release = threading.Event()
    calls = []
    real_build = index.build

    def build(stamp, day):
        calls.append(stamp)
        if threading.current_thread() is not threading.main_thread():
            held.set()
            assert release.wait(timeout=30)
        return real_build(stamp, day)

    held = threading.Event()
    release.held = held

    monkeypatch.setattr(index, "build", build)
    yield release, calls
    release.set()


def nearest_code():
    hits = stations_nearest(lon=TIANNING[0], lat=TIANNING[1], limit=1)
    return hits[0].code if hits else None


def test_the_first_query_of_a_cold_process_builds_the_index_inline(cold, make_station):
    make_station("TN001")
    assert nearest_code() == "TN001"
    assert index.rebuild_wait(timeout=0)  # nothing was left running


def test_a_change_is_served_from_the_previous_index_until_the_rebuild_finished(
    cold, held_builds, make_station
):
    release, _ = held_builds
    make_station("TN002", lon=120.0, lat=31.77)
    assert nearest_code() == "TN002"
    make_station("TN001")  # right at the query point

    assert nearest_code() == "TN002"  # answered at once, from the previous index
    assert not index.rebuild_wait(timeout=0)  # the new one is still being built
    release.set()
    assert index.rebuild_wait(timeout=30)
    assert nearest_code() == "TN001"


def test_only_one_rebuild_runs_at_a_time_and_the_last_change_is_not_missed(
    cold, held_builds, make_station
):
    release, calls = held_builds
    make_station("TN009", lon=120.05, lat=31.7)
    nearest_code()
    assert len(calls) == 1  # the cold, inline build
    for i, lon in enumerate((120.02, 120.01, 119.995), start=1):
        make_station(f"TN00{i}", lon=lon, lat=TIANNING[1])
        assert nearest_code() == "TN009"
        assert release.held.wait(timeout=30)
    assert len(calls) == 2  # three changes, one rebuild in flight
    assert [t.name for t in threading.enumerate()].count("stations-index-rebuild") == 1

    release.set()
    assert index.rebuild_wait(timeout=30)
    # that rebuild may have read its stamp before the later changes: the next check catches up
    nearest_code()
    assert index.rebuild_wait(timeout=30)
    assert nearest_code() == "TN003"


def test_a_failed_rebuild_keeps_the_previous_index_and_the_next_query_tries_again(
    cold, monkeypatch, make_station
):
    make_station("TN002", lon=120.0, lat=31.77)
    assert nearest_code() == "TN002"
    real_build = index.build
    failures = []

    def failing_once(stamp, day):
        if not failures:
            failures.append(stamp)
            raise RuntimeError("database went away")
        return real_build(stamp, day)

    monkeypatch.setattr(index, "build", failing_once)
    make_station("TN001")
    assert nearest_code() == "TN002"
    assert index.rebuild_wait(timeout=30)
    assert failures
    assert nearest_code() == "TN002"  # still the previous index; this query started a retry
    assert index.rebuild_wait(timeout=30)
    assert nearest_code() == "TN001"


def test_the_rebuild_also_builds_the_filtered_trees_queries_were_using(cold, make_station):
    make_station("TN002", lon=120.0, lat=31.77, services=["legal_aid"])
    stations_nearest(lon=TIANNING[0], lat=TIANNING[1], service="legal_aid", limit=1)
    make_station("TN001", services=["legal_aid"])
    index.station_index()
    assert index.rebuild_wait(timeout=30)
    legal_aid = (catalogue().bits["legal_aid"], False)
    assert legal_aid in index.station_index()._subs


def test_inside_a_transaction_a_change_shows_at_once(make_station, db):
    # uncommitted rows are invisible to the rebuild thread: the index is built inline
    make_station("TN002", lon=120.0, lat=31.77)
    assert nearest_code() == "TN002"
    make_station("TN001")
    assert nearest_code() == "TN001"

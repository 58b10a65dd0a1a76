"""Databases beside the test database: an alias added for some tests (the "replica" of
core.dbrouter), and a free port for a server of a test's own.

Neither override_settings(DATABASES=...) nor assigning settings.DATABASES reaches Django's
connection handler: `connections.settings` is read once and cached, and connections are made
per thread from it. It *is* the settings.DATABASES dict, though (configure_settings fills in the
defaults in place), so an alias added to it is one Django knows: `alias in connections`, and
`connections[alias]` makes its connection from that entry. The block adds the alias there and
takes it out again, closing the connection it made, and puts back whatever was there before
(a replica configured by DATABASE_REPLICA_URL).

A test may only use the aliases its test case declares (`django_db(databases=[...])`), checked
when pytest-django sets the case up: the alias must exist by then, so it is added by a fixture
of a wider scope than the test (a module's), which pytest sets up first. Its TEST MIRROR keeps
the test case from flushing it between tests: it is a copy of default, flushed there.
"""

import copy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (a server binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _made(alias: str) -> BaseDatabaseWrapper | None:
    """This thread's connection for the alias, if one has been made."""
    return next((c for c in connections.all(initialized_only=True) if c.alias == alias), None)


@contextmanager
def database_alias(alias: str, **overrides: Any) -> Iterator[None]:
    """DATABASES[alias] for the block: default's (the test database, when in a test) as a test
    mirror of default, with these keys (HOST, PORT, ...) changed."""
    entry = copy.deepcopy(connections["default"].settings_dict)
    entry["TEST"]["MIRROR"] = "default"
    entry.update(overrides)
    databases = connections.settings
    saved_entry = databases.get(alias)
    saved_conn = _made(alias)
    databases[alias] = entry
    if saved_conn is not None:
        del connections[alias]  # this thread's connection for the old entry: made anew
    try:
        yield
    finally:
        conn = _made(alias)
        if conn is not None:
            conn.close()
            del connections[alias]
        if saved_entry is None:
            del databases[alias]
        else:
            databases[alias] = saved_entry
        if saved_conn is not None:
            connections[alias] = saved_conn

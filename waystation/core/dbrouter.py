"""Reads that may lag go to the read replica; everything else to the primary.

With DATABASE_REPLICA_URL set (settings.py), DATABASES has a "replica": a PostgreSQL streaming
standby of the primary, behind it by however long replay takes. A page that shows the registry
or figures to whoever asks — the public station map and its layer, a public station page, the
statistics pages — loses nothing by being that far behind, and those are the reads that come in
crowds. They say so with `@lagging_reads_view` (or a block with `lagging_reads()`); nothing else
ever reads from the replica, so every page that writes reads its own writes, as without one.

Inside such a view or block:
- reads go to the replica, decided once, at the first read: when it cannot be reached, the block
  reads from the primary instead, with one log line, and the next DATABASE_REPLICA_RETRY_SECONDS
  do not try it again (a replica that is down costs the site nothing but its own load);
- writes always go to the primary, and once the block has written, its reads follow to the
  primary too, to see that write. A block only ever moves from the replica to the primary, never
  back: the caches that read a version stamp before the rows it stands for (stations/layer.py,
  stations/index.py) then see rows at least as new as the stamp, never older;
- inside a transaction on the primary, reads go there, and the block stays there (a transaction's
  reads belong with its writes; ATOMIC_REQUESTS is off, so a view is in one only if it opened
  it, or a test case did);
- who is asking and what they may see — sessions, accounts, staff roles — is always read from the
  primary: a sign-in is seen at once, and so is a role taken away.

Outside, and without a replica, every read goes to the primary. The router is installed either
way, so that code may say which of its reads may lag without knowing whether a replica exists.
The state lives in a context variable: per thread, per asyncio task, and copied into a thread
only when the code starting it copies the context (stations/index.py does, for its rebuild).
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.models import Model
from django.http import HttpRequest

log = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "accounts"})
"""Who is asking and what they may see: read from the primary even inside a lagging block."""


@dataclass
class _Block:
    db: str | None = None  # where this block reads, decided at its first read


_block: ContextVar[_Block | None] = ContextVar("waystation_lagging_reads", default=None)
_replica_down_until = 0.0  # time.monotonic() before which the replica is not tried again


@contextmanager
def lagging_reads() -> Iterator[None]:
    """Reads in this block may come from the read replica (see the module docstring). Nested
    blocks are the outer one: where it reads, they read."""
    if _block.get() is not None:
        yield
        return
    token = _block.set(_Block())
    try:
        yield
    finally:
        _block.reset(token)


V = TypeVar("V", bound=Callable[..., Any])


def lagging_reads_view(view: V) -> V:
    """The view's reads may come from the read replica. Only for views that answer GET and never
    write (core/tests/test_dbrouter.py keeps that so); put it below the access decorators, so
    that who may see the page is decided on the primary before the block begins."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # The lazy user and member of the middleware, evaluated now (the page's context
        # processor evaluates them anyway): one who has just signed in or joined sees so.
        for name in ("user", "member"):
            bool(getattr(request, name, None))
        with lagging_reads():
            return view(request, *args, **kwargs)

    wrapper.reads_lagging = True  # type: ignore[attr-defined]  # wraps() carries it outwards
    return cast(V, wrapper)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _replica_reachable() -> bool:
    """Whether the replica answers now; connects to it (this thread's connection) if need be."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    conn = connections[REPLICA]
    try:
        conn.close_if_health_check_failed()  # a kept connection the replica has dropped
        conn.ensure_connection()
    except Error as exc:
        retry = settings.DATABASE_REPLICA_RETRY_SECONDS
        _replica_down_until = time.monotonic() + retry
        log.warning("read replica unavailable, reading from the primary for %ss: %s", retry, exc)
        return False
    return True


class LaggingReadsRouter:
    """settings.DATABASE_ROUTERS: the replica for reads inside `lagging_reads`, else default."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        block = _block.get()
        if block is None or model._meta.app_label in PRIMARY_ONLY_APPS or not replica_configured():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            block.db = DEFAULT_DB_ALIAS  # and after the transaction too: never back to the replica
        elif block.db is None:
            block.db = REPLICA if _replica_reachable() else DEFAULT_DB_ALIAS
        return block.db

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        block = _block.get()
        if block is not None:
            block.db = DEFAULT_DB_ALIAS  # the block's reads now see what it wrote
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        both = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in both and obj2._state.db in both:
            return True  # one database: the replica is a copy of the primary
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica has the primary's schema by replication

"""Reads from the hot standby, only where the code asks for it.

``reads_from_replica()``, a context manager or a decorator, marks reads that may come from the
standby: they may be up to DATABASE_REPLICA_MAX_LAG seconds old, so they must not need what the
same request or task wrote before the scope began (report building, the importers' shipment
list). Inside a scope ReplicaRouter sends a read to the standby, except

- when no replica is configured, or it is down or too far behind (ops/replica.py);
- once the scope has written anything (every write asks db_for_write): from then on the scope
  reads from the primary, so it sees its own writes;
- while an atomic block is open on the primary: what it reads belongs to its transaction.

Every write, and every read outside a scope, goes to the primary.
"""

import functools
from contextlib import ContextDecorator
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connections

from .replica import PRIMARY, REPLICA, StandbyWatch, standby

# SQLSTATE of a query the standby cancelled because it conflicted with the WAL it was replaying.
RECOVERY_CONFLICT = "40001"


@dataclass
class _Scope:
    pinned: bool = False  # reads stay on the primary from now on (the scope wrote)
    read_replica: bool = False


# Per thread and per asyncio task, so concurrent requests and tasks never share a scope.
_scope: ContextVar[_Scope | None] = ContextVar("ops_replica_scope", default=None)


class reads_from_replica(ContextDecorator):  # lower case: used as a function, `with reads_from_replica():`
    """Reads inside may come from the standby. A nested scope shares the outer one's writes.

    As a decorator, a call whose standby failed under it (the connection was lost, or the standby
    cancelled a query that conflicted with replay) is made once more, from the primary, provided it
    wrote nothing: what it did is then only reads."""

    def __init__(self):
        self.scope: _Scope | None = None
        self.standby_failed = False

    def _recreate_cm(self):
        return type(self)()  # each call of a decorated function gets its own scope

    def __enter__(self):
        self.scope = _scope.get() or _Scope()
        self._token = _scope.set(self.scope)
        return self

    def __exit__(self, exc_type, error, traceback):
        _scope.reset(self._token)
        if isinstance(error, OperationalError | InterfaceError) and self.scope.read_replica:
            # Judge the standby now, not when the kept verdict runs out: the next reads of every
            # scope in this process go to the primary at once if it is gone.
            conflict = getattr(error.__cause__, "sqlstate", None) == RECOVERY_CONFLICT
            self.standby_failed = conflict or not standby.refresh().ok
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            attempt = self._recreate_cm()
            try:
                with attempt:
                    return func(*args, **kwargs)
            except (OperationalError, InterfaceError):
                if not attempt.standby_failed or attempt.scope.pinned:
                    raise
            scope = _scope.get() or _Scope()
            scope.pinned = True  # made again with every read on the primary
            token = _scope.set(scope)
            try:
                return func(*args, **kwargs)
            finally:
                _scope.reset(token)

        return run


class ReplicaRouter:
    def __init__(self, watch: StandbyWatch = standby):
        self.watch = watch

    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if scope is None or scope.pinned or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if not self.watch.usable():  # also when no replica is configured
            return PRIMARY
        scope.read_replica = True
        return REPLICA

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope.pinned = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The standby is a copy of the primary: a row read from one may point at a row of the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The standby replays the primary's WAL, schema included, and accepts no writes.
        return False if db == REPLICA else None

"""Whether the hot standby may serve reads now: it answers, and it has replayed the primary's WAL
to within DATABASE_REPLICA_MAX_LAG seconds.

The router asks ``standby.usable()`` before sending a read to the standby. The answer is kept for
a few seconds per process, so a standby that is down costs one connect timeout (its OPTIONS set
``connect_timeout``) every few seconds, not one per query.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
# How long a verdict on the standby is kept, in seconds.
RECHECK_SECONDS = 5.0

# Raw SQL: the replay position is only reachable through these functions (any role may call them).
# Lag is zero for a server that is not in recovery (the standby promoted, or in tests a mirror of
# the primary's database) and for a standby that has replayed all the primary had written when
# asked; otherwise it is the age of the last transaction replayed (NULL: none yet, lag unknown).
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_replay_lsn() >= %s::pg_lsn THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8
END
"""


@dataclass(frozen=True)
class StandbyState:
    ok: bool
    lag: float | None = None  # seconds behind the primary; None when not known
    error: str = ""


def configured() -> bool:
    return REPLICA in connections.settings


def measure() -> StandbyState:
    """Ask the standby how far behind the primary it is (one query on each)."""
    if not configured():
        return StandbyState(ok=False, error="no replica configured")
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (primary_lsn,) = cursor.fetchone()
    except DatabaseError as error:
        return StandbyState(ok=False, error=f"the primary did not say where its WAL is: {describe(error)}")
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL, [primary_lsn])
            (lag,) = cursor.fetchone()
    except DatabaseError as error:
        # A connection the server dropped would fail again; the next use connects afresh.
        connections[REPLICA].close()
        return StandbyState(ok=False, error=describe(error))
    return judge(lag)


def judge(lag: float | None) -> StandbyState:
    """The verdict on a standby that answered, ``lag`` seconds behind."""
    if lag is None:
        return StandbyState(ok=False, error="the standby has replayed no transaction yet: its lag is not known")
    lag = max(float(lag), 0.0)  # the two servers' clocks may differ a little
    if lag > settings.DATABASE_REPLICA_MAX_LAG:
        return StandbyState(ok=False, lag=lag,
                            error=f"{lag:.1f} s behind the primary (at most {settings.DATABASE_REPLICA_MAX_LAG:g})")
    return StandbyState(ok=True, lag=lag)


def describe(error: Exception) -> str:
    """An error's first line, which names the failure and the host but no password."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class StandbyWatch:
    """The last verdict on the standby, kept for ``every`` seconds (shared by the process' threads)."""

    def __init__(self, measure: Callable[[], StandbyState] = measure, every: float = RECHECK_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self._measure, self._every, self._clock = measure, every, clock
        self._verdict: tuple[float, StandbyState] | None = None

    def usable(self) -> bool:
        verdict = self._verdict
        if verdict is not None and self._clock() < verdict[0]:
            return verdict[1].ok
        return self.refresh().ok

    def refresh(self) -> StandbyState:
        """Measure now (a read on the standby has just failed, or the verdict is old)."""
        state = self._measure()
        self._verdict = (self._clock() + self._every, state)  # one assignment: safe between threads
        return state


standby = StandbyWatch()

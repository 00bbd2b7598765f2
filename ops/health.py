"""What /health/ready/ checks: everything the app needs to do its work, not only that it runs.

Each check answers within about two seconds when what it checks is down (connect and statement
timeouts), and says what failed without URLs or passwords. A check returns a dict with ``ok``;
any exception it raises counts as down.
"""

import datetime
import re
from collections.abc import Callable

import kombu
import psycopg
import redis
from django.conf import settings
from django.db import connections
from django.utils import timezone

from . import replica
from .models import BackupRun

TIMEOUT_SECONDS = 2


def readiness() -> dict:
    checks: dict[str, Callable[[], dict]] = {"database": database}
    if replica.configured():
        checks["replica"] = standby
    checks |= {"redis": cache_redis, "broker": broker, "archiving": archiving, "backup": backup}
    results = {}
    for name, check in checks.items():
        if name in ("archiving", "backup") and not results["database"]["ok"]:
            results[name] = {"ok": False, "error": "not checked: the database does not answer"}
            continue
        try:
            results[name] = check()
        except Exception as error:  # a check that cannot run says why; the others still run
            results[name] = {"ok": False, "error": scrub(replica.describe(error))}
    status = "ok" if all(result["ok"] for result in results.values()) else "unavailable"
    return {"status": status, "checks": results}


def scrub(text: str) -> str:
    """No credentials, should a library put a URL in its message."""
    return re.sub(r"(\w+://)[^/\s@]+@", r"\1", text)


def _primary() -> psycopg.Connection:
    """A new connection to the primary as the app connects, but giving up after the timeout."""
    params = {key: value for key, value in connections[replica.PRIMARY].get_connection_params().items()
              if key not in ("context", "cursor_factory")}  # Django's adapters are not needed here
    options = f"-c statement_timeout={TIMEOUT_SECONDS * 1000} {params.get('options', '')}".strip()
    return psycopg.connect(**{**params, "connect_timeout": TIMEOUT_SECONDS, "options": options}, autocommit=True)


def database() -> dict:
    with _primary() as connection:
        connection.execute("SELECT 1")
    return {"ok": True}


def standby() -> dict:
    state = replica.standby.refresh()  # also renews the verdict the router goes by
    result = {"ok": state.ok, "lag_seconds": None if state.lag is None else round(state.lag, 3)}
    return result | ({"error": scrub(state.error)} if state.error else {})


def _redis_url() -> str:
    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        location = cache["LOCATION"]
        return (location.split(",") if isinstance(location, str) else location)[0]
    return settings.REDIS_URL


def cache_redis() -> dict:
    client = redis.Redis.from_url(_redis_url(), socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


def broker() -> dict:
    """A connection to the broker the workers take tasks from (whether a worker runs is not asked)."""
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "socket_timeout": TIMEOUT_SECONDS}
    with kombu.Connection(settings.CELERY_BROKER_URL, connect_timeout=TIMEOUT_SECONDS,
                          transport_options=options) as connection:
        connection.ensure_connection(max_retries=0, timeout=TIMEOUT_SECONDS)
    return {"ok": True}


def archiving() -> dict:
    """WAL archiving works: it is on, and the last segment it tried was archived. pg_stat_archiver
    is readable by any role, the runtime role included."""
    with _primary() as connection:
        mode, failed_count, last_archived, last_failed = connection.execute(
            "SELECT current_setting('archive_mode'), failed_count, last_archived_time, last_failed_time "
            "FROM pg_stat_archiver").fetchone()
    result = {"archive_mode": mode, "failed_count": failed_count,
              "last_archived_time": last_archived.isoformat() if last_archived else None,
              "last_failed_time": last_failed.isoformat() if last_failed else None}
    if mode == "off":
        return {"ok": False, **result, "error": "archive_mode is off: no point-in-time recovery"}
    if last_failed and (last_archived is None or last_failed > last_archived):
        return {"ok": False, **result, "error": "the last WAL segment could not be archived"}
    return {"ok": True, **result}


def backup() -> dict:
    latest = BackupRun.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
    if latest is None:
        return {"ok": False, "error": "no backup recorded"}
    age = timezone.now() - latest
    result = {"finished_at": latest.isoformat(), "age_hours": round(age.total_seconds() / 3600, 2)}
    if age > datetime.timedelta(hours=settings.BACKUP_MAX_AGE_HOURS):
        return {"ok": False, **result, "error": f"the last backup is older than {settings.BACKUP_MAX_AGE_HOURS} hours"}
    return {"ok": True, **result}

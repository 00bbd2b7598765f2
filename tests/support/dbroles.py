"""The test database is made and emptied by the schema owner (the runtime role may not create or
truncate); every test runs as the runtime role, the one production uses."""

import contextlib

from django.conf import settings
from django.db import connections


def owner_role() -> str:
    import environ

    return environ.Env.db_url_config(settings.DATABASE_OWNER_URL)["USER"]


def connect_as(user: str) -> None:
    for alias in connections:
        connection = connections[alias]
        if connection.settings_dict["USER"] != user:
            connection.close()
            connection.settings_dict["USER"] = user
            settings.DATABASES[alias]["USER"] = user


@contextlib.contextmanager
def as_owner():
    connect_as(owner_role())
    try:
        yield
    finally:
        connect_as(settings.DATABASE_RUNTIME_ROLE)


def owner_connection(user: str | None = None):
    """A connection of its own to the test database, as the owner (or `user`), in autocommit: for
    a test that must act beside the runtime role's open transaction."""
    import psycopg

    current = connections["default"].settings_dict
    return psycopg.connect(host=current["HOST"] or "127.0.0.1", port=current["PORT"] or 5432,
                           dbname=current["NAME"], user=user or owner_role(), autocommit=True)


@contextlib.contextmanager
def granted(privileges: str, table: str):
    """The runtime role holds `privileges` on `table` for a moment: to reach the trigger behind
    them. Only those it lacks are granted, and only those are taken back."""
    role = settings.DATABASE_RUNTIME_ROLE
    with owner_connection() as owner:
        lacking = [p.strip() for p in privileges.split(",")
                   if not owner.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, p.strip()]).fetchone()[0]]
        if lacking:
            owner.execute(f'GRANT {", ".join(lacking)} ON "{table}" TO "{role}"')
        try:
            yield
        finally:
            if lacking:
                owner.execute(f'REVOKE {", ".join(lacking)} ON "{table}" FROM "{role}"')


def refused_twice(attempt):
    """Runs `attempt()`, which expects the database's refusal and returns it. A write the runtime
    role has no privilege for is refused first by that; it is then tried again with UPDATE and
    DELETE granted on the table, so the table's own rule (the trigger behind the privilege) is
    tested too: the owner, who may write there, is held by it."""
    import psycopg
    from django.db import ProgrammingError

    try:
        return attempt()
    except ProgrammingError as error:
        if not isinstance(error.__cause__, psycopg.errors.InsufficientPrivilege):
            raise
        table = str(error.__cause__).split("permission denied for table ", 1)[1].split()[0]
        with granted("UPDATE, DELETE", table):
            return attempt()

"""What the runtime database role may do to each table, declared by its model.

The app runs as a role that owns nothing (see ``ops/roles.py``); every table is owned by the
schema owner that runs ``migrate``. After each ``migrate`` the runtime role is given, table by
table, exactly the privileges its model declares in ``runtime_privileges`` (by default
``READ_WRITE``), and nothing else: never TRUNCATE, REFERENCES or TRIGGER. Sequences get USAGE
only (what ``nextval`` of a serial column needs).

- ``APPEND_ONLY``: records of money and of what people did (postings, receipts, repayments,
  steps, row-history events). Corrections are new rows.
- ``NO_DELETE``: documents whose status moves forward (a shipment, a loan, a claim) or that the
  books point at (accounts, members, co-ops).
- ``READ_WRITE``: settings and working rows the app itself removes (a loading-sheet line, a
  settlement recomputed before approval, a role assignment).
"""

from django.apps import apps
from django.conf import settings
from django.db import connections

READ_ONLY = frozenset({"SELECT"})
APPEND_ONLY = frozenset({"SELECT", "INSERT"})
NO_DELETE = frozenset({"SELECT", "INSERT", "UPDATE"})
READ_WRITE = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})

# Every privilege a table can carry in PostgreSQL 15: what the grant check compares against.
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")

# Models of installed libraries, which cannot declare it themselves.
LIBRARY_MODELS = {
    "pghistory.context": NO_DELETE,  # a context row is upserted as a request goes on
    "django_celery_beat.crontabschedule": READ_WRITE,
}


def declared(model) -> frozenset:
    """The privileges the runtime role holds on the model's table."""
    import pghistory.models

    label = model._meta.label_lower
    if label in LIBRARY_MODELS:
        return LIBRARY_MODELS[label]
    if issubclass(model, pghistory.models.Event):
        return APPEND_ONLY
    return getattr(model, "runtime_privileges", READ_WRITE)


def runtime_role() -> str:
    """The role web, worker and beat connect as: the user of DATABASE_URL."""
    return settings.DATABASE_RUNTIME_ROLE


def managed_tables() -> dict[str, frozenset]:
    """Every table Django creates, with what the runtime role may do to it."""
    from django.db.migrations.recorder import MigrationRecorder

    # Django's record of applied migrations, which no app registers: the app may read it.
    tables = {MigrationRecorder.Migration._meta.db_table: READ_ONLY}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            tables[meta.db_table] = declared(model)
    return tables


def grant(using: str = "default") -> None:
    """Makes the runtime role's privileges equal to what each model declares."""
    role = runtime_role()
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None or role == connection.settings_dict["USER"]:
            return  # no separate runtime role here (a scratch database migrated by hand)
        existing = set(connection.introspection.table_names(cursor))
        statements = []
        for table, privileges in sorted(managed_tables().items()):
            if table not in existing:
                continue
            statements.append(f"REVOKE ALL ON TABLE {quote(table)} FROM {quote(role)}")
            statements.append(f"GRANT {', '.join(sorted(privileges))} ON TABLE {quote(table)} TO {quote(role)}")
        statements.append(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quote(role)}")
        statements.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}")
        statements.append(f"GRANT USAGE ON SCHEMA public TO {quote(role)}")
        cursor.execute(";\n".join(statements))


def grant_after_migrate(using: str = "default", **kwargs) -> None:
    grant(using)


def held(using: str = "default") -> dict[str, frozenset]:
    """What the runtime role really holds on each table of the public schema (from the catalog)."""
    role = runtime_role()
    columns = ", ".join(f"has_table_privilege(%s, c.oid, '{privilege}')" for privilege in TABLE_PRIVILEGES)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT c.relname, {columns} FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')",
            [role] * len(TABLE_PRIVILEGES),
        )
        return {
            table: frozenset(p for p, has in zip(TABLE_PRIVILEGES, flags, strict=True) if has)
            for table, *flags in cursor.fetchall()
        }

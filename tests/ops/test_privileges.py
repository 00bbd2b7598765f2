"""The role the app runs as: no more than a login, holding on each table what its model declares."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from ops.privileges import TABLE_PRIVILEGES, held, managed_tables
from tests.support.dbroles import owner_connection

pytestmark = pytest.mark.django_db


def test_the_tests_run_as_the_runtime_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_RUNTIME_ROLE != "postgres"


def test_every_table_grants_the_runtime_role_what_its_model_declares():
    declared, actual = managed_tables(), held()
    assert set(actual) <= set(declared), f"tables no model declares: {sorted(set(actual) - set(declared))}"
    differing = {table: (sorted(actual[table]), sorted(declared[table])) for table in actual if actual[table] != declared[table]}
    assert differing == {}, "table: (held, declared)"
    assert not any("TRUNCATE" in privileges for privileges in actual.values())


def test_the_books_and_other_records_are_append_only_for_the_runtime_role():
    actual = held()
    for table in ("ledger_transaction", "ledger_leg", "loans_repayment", "medfund_claimstep", "members_memberevent"):
        assert actual[table] == {"SELECT", "INSERT"}, table


def test_sequences_are_usable_but_not_settable():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(has_sequence_privilege(current_user, c.oid, 'USAGE')), "
            "bool_or(has_sequence_privilege(current_user, c.oid, 'UPDATE')) FROM pg_class c WHERE c.relkind = 'S'"
        )
        assert cursor.fetchone() == (True, False)


def test_the_runtime_role_is_a_bare_login_that_owns_nothing():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication, rolinherit, "
            "(SELECT count(*) FROM pg_auth_members WHERE member = r.oid), "
            "(SELECT count(*) FROM pg_class WHERE relowner = r.oid), "
            "(SELECT count(*) FROM pg_proc WHERE proowner = r.oid), "
            "(SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid), "
            "has_schema_privilege(r.oid, 'public', 'CREATE'), has_database_privilege(r.oid, current_database(), 'CREATE') "
            "FROM pg_roles r WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False, False, False, False, 0, 0, 0, 0, False, False)


@pytest.mark.parametrize("privilege", [p for p in TABLE_PRIVILEGES if p not in ("SELECT", "INSERT")])
def test_a_privilege_granted_by_hand_is_caught(privilege):
    """The comparison above can fail: a stray GRANT by the owner shows up in what is held."""
    table = "ledger_leg"
    with owner_connection() as owner:
        owner.execute(f"GRANT {privilege} ON {table} TO {settings.DATABASE_RUNTIME_ROLE}")
        try:
            assert privilege in held()[table]
        finally:
            owner.execute(f"REVOKE {privilege} ON {table} FROM {settings.DATABASE_RUNTIME_ROLE}")


def test_migrate_as_the_runtime_role_stops_and_names_the_url_to_set():
    with override_settings(DATABASE_OWNER_URL=""), pytest.raises(CommandError) as refused:
        call_command("migrate", verbosity=0)
    message = str(refused.value)
    assert "DATABASE_OWNER_URL" in message and settings.DATABASE_RUNTIME_ROLE in message

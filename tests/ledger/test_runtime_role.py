"""Attacks on the rules themselves: switching triggers off, dropping them, truncating.

The runtime role (what the app, and these tests, connect as) owns nothing, so it may do none of it.
Behind its missing privileges the triggers hold even for a superuser: no truncating financial
records, no editing the books, and ``pgtrigger.ignore`` switches no protection off.
"""

import datetime
import importlib
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.db import ProgrammingError, connection, transaction

from ledger.models import Period, PeriodReopening
from ledger.services import transaction_post
from tests.factories import MemberFactory

# Every table of money or of what people did with it: none is ever truncated (the migration's list).
FINANCIAL_TABLES = importlib.import_module("ledger.migrations.0007_financial_records_never_truncated").FINANCIAL_TABLES


def denied(statement: str, match: str):
    with pytest.raises(ProgrammingError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def member_protection() -> str:
    """The database name pgtrigger gave the trigger 'member_never_deleted'."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'pgtrigger_member_never_deleted_%%'")
        return cursor.fetchone()[0]


@pytest.mark.django_db
class TestTheRuntimeRole:
    def test_cannot_switch_triggers_off_for_its_session(self):
        denied("SET session_replication_role = replica", 'permission denied to set parameter "session_replication_role"')

    def test_cannot_disable_or_drop_a_trigger(self):
        denied("ALTER TABLE ledger_leg DISABLE TRIGGER ALL", "must be owner of table ledger_leg")
        denied("ALTER TABLE ledger_leg DISABLE TRIGGER ledger_leg_append_only", "must be owner of table ledger_leg")
        denied("DROP TRIGGER ledger_leg_append_only ON ledger_leg", "must be owner of relation ledger_leg")

    @pytest.mark.parametrize("table", FINANCIAL_TABLES)
    def test_cannot_truncate(self, table):
        denied(f"TRUNCATE {table}", f"permission denied for table {table}")

    def test_pgtrigger_ignore_switches_nothing_off(self):
        member = MemberFactory()
        trigger = member_protection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + trigger + "}"])
            cursor.execute("SELECT _pgtrigger_should_ignore(%s)", [trigger])
            assert cursor.fetchone() == (False,)
        denied(f"DELETE FROM members_member WHERE id = {member.pk}", "permission denied for table members_member")


@pytest.mark.django_db
def test_every_financial_table_refuses_truncate():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'never_truncated' AND t.tgenabled = 'O' "
            "AND pg_get_triggerdef(t.oid) LIKE '%%BEFORE TRUNCATE%%FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()'"
        )
        assert sorted(row[0] for row in cursor.fetchall()) == sorted(FINANCIAL_TABLES)


def test_every_append_only_record_of_the_apps_is_on_the_list():
    """A new append-only table of money needs the trigger too: this fails until it has it."""
    import pghistory.models
    from django.apps import apps

    from ops.privileges import APPEND_ONLY, declared

    kept_elsewhere = {"medfund_claimread", "ops_backuprun"}  # a read log and the backups' log, not money
    records = {
        model._meta.db_table for model in apps.get_models()
        if declared(model) == APPEND_ONLY and not issubclass(model, pghistory.models.Event)
    } - kept_elsewhere
    assert records - set(FINANCIAL_TABLES) == set()


@pytest.mark.django_db(transaction=True)
class TestEvenASuperuser:
    """As ``postgres``, on its own connection (so only committed rows, hence transactional tests)."""

    def refused(self, superuser, statement: str, match: str, *params, error=psycopg.errors.CheckViolation):
        with pytest.raises(error, match=match):
            superuser.execute(statement, params)
        superuser.rollback()

    def test_cannot_truncate_financial_records(self, superuser):
        for table in FINANCIAL_TABLES:
            # CASCADE: past the foreign-key check, which comes first; the named table's trigger fires first.
            self.refused(superuser, f"TRUNCATE {table} CASCADE", f"^{table}: financial records are never truncated")

    def test_cannot_edit_the_books(self, superuser, books):
        entry = transaction_post(
            cooperative=books.cooperative, date=datetime.date(2026, 3, 10), memo="Premium received", actor=books.accountant,
            legs=[(books.bank, Decimal("100.00")), (books.unallocated, Decimal("-100.00"))],
        )
        period = Period.objects.create(cooperative=books.cooperative, starts_on=datetime.date(2026, 1, 1),
                                       ends_on=datetime.date(2026, 1, 31), closed_by=books.accountant)
        reopening = PeriodReopening.objects.create(period=period, reopened_by=books.board, reason="Factura tardía")
        for statement, pk in [
            ("UPDATE ledger_leg SET amount = -amount WHERE transaction_id = %s", entry.pk),
            ("DELETE FROM ledger_leg WHERE transaction_id = %s", entry.pk),
            ("UPDATE ledger_transaction SET memo = 'edited' WHERE id = %s", entry.pk),
            ("DELETE FROM ledger_transaction WHERE id = %s", entry.pk),
            ("UPDATE ledger_period SET ends_on = starts_on WHERE id = %s", period.pk),
            ("DELETE FROM ledger_period WHERE id = %s", period.pk),
            ("UPDATE ledger_periodreopening SET reason = 'otra' WHERE id = %s", reopening.pk),
            ("DELETE FROM ledger_periodreopening WHERE id = %s", reopening.pk),
        ]:
            self.refused(superuser, statement, "rows are never updated or deleted", pk)

    def test_pgtrigger_ignore_does_not_switch_a_protection_off(self, superuser):
        member = MemberFactory()
        superuser.execute("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + member_protection() + "}"])
        self.refused(superuser, "DELETE FROM members_member WHERE id = %s", "pgtrigger: Cannot delete rows from members_member",
                     member.pk, error=psycopg.errors.RaiseException)



@pytest.mark.django_db(transaction=True)
def test_the_owner_may_truncate():
    """The owner empties the test database between transactional tests (and owns the tables anyway)."""
    with psycopg.connect(settings.DATABASE_OWNER_URL, dbname=connection.settings_dict["NAME"]) as owner:
        owner.execute("TRUNCATE ledger_periodreopening")
        owner.rollback()

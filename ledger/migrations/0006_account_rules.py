"""An account opens at zero, and its no-overdraft rule is fixed once it has postings.

0002 let only postings move a balance once the account existed, but an account could be written
with any balance to begin with; and clearing ``no_overdraft`` on a fund let the next posting
take it below zero. The guard now runs on insert too, and holds the overdraft rule with the type
and the co-op.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION ledger_guard_account() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.balance <> 0 THEN
            RAISE EXCEPTION 'ledger: account % opens with a zero balance, not %; a balance changes only by posting',
                NEW.code, NEW.balance USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.balance IS DISTINCT FROM OLD.balance AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'ledger: an account balance changes only by posting' USING ERRCODE = '23514';
    END IF;
    IF (NEW.type, NEW.cooperative_id, NEW.no_overdraft) IS DISTINCT FROM (OLD.type, OLD.cooperative_id, OLD.no_overdraft)
       AND EXISTS (SELECT 1 FROM ledger_leg WHERE account_id = OLD.id) THEN
        RAISE EXCEPTION 'ledger: account % has postings; its type, co-op and no-overdraft rule cannot change', OLD.code
            USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER ledger_account_guard ON ledger_account;
CREATE TRIGGER ledger_account_guard BEFORE INSERT OR UPDATE ON ledger_account
    FOR EACH ROW EXECUTE FUNCTION ledger_guard_account();
"""

REVERSE_SQL = r"""
DROP TRIGGER ledger_account_guard ON ledger_account;
CREATE TRIGGER ledger_account_guard BEFORE UPDATE ON ledger_account
    FOR EACH ROW EXECUTE FUNCTION ledger_guard_account();

CREATE OR REPLACE FUNCTION ledger_guard_account() RETURNS trigger AS $$
BEGIN
    IF NEW.balance IS DISTINCT FROM OLD.balance AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'ledger: an account balance changes only by posting' USING ERRCODE = '23514';
    END IF;
    IF (NEW.type IS DISTINCT FROM OLD.type OR NEW.cooperative_id IS DISTINCT FROM OLD.cooperative_id)
       AND EXISTS (SELECT 1 FROM ledger_leg WHERE account_id = OLD.id) THEN
        RAISE EXCEPTION 'ledger: account % has postings; its type and co-op cannot change', OLD.code
            USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_period_reopenings")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]

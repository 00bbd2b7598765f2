"""Legs are checked and applied once per statement, not once per leg.

A bulk insert of many legs (INSERT ... SELECT, bulk_create) used to update the same account row
once per leg inside one transaction, leaving a chain of row versions that made each update slower
than the last, and ran a commit-time balance check per leg as well as per transaction. Now a
statement-level trigger with a transition table:
- refuses legs joining a transaction posted in an earlier database transaction (posted_at is the
  start of the writing transaction, which is now());
- locks the accounts in id order (two statements touching the same accounts queue instead of
  deadlocking) and adds each account's total once.
With legs only ever joining a transaction written in the same database transaction, the
commit-time check per transaction (0002) covers every leg; the per-leg one is dropped.
"""

from django.db import migrations

SQL = r"""
DROP TRIGGER ledger_leg_apply ON ledger_leg;
DROP FUNCTION ledger_apply_leg();
DROP TRIGGER ledger_leg_balanced ON ledger_leg;
DROP FUNCTION ledger_leg_balanced();

CREATE FUNCTION ledger_apply_legs() RETURNS trigger AS $$
DECLARE
    late bigint;
BEGIN
    -- id = ANY(array) keeps this an index lookup however big ledger_transaction grows.
    SELECT t.id INTO late FROM ledger_transaction t
     WHERE t.id = ANY (ARRAY(SELECT DISTINCT transaction_id FROM new_legs)) AND t.posted_at <> now()
     LIMIT 1;
    IF late IS NOT NULL THEN
        RAISE EXCEPTION 'ledger: transaction % is already posted; legs cannot be added to it', late
            USING ERRCODE = '23514';
    END IF;
    PERFORM 1 FROM ledger_account WHERE id IN (SELECT account_id FROM new_legs) ORDER BY id FOR UPDATE;
    UPDATE ledger_account a
       SET balance = a.balance + CASE WHEN a.type IN ('asset', 'expense') THEN s.total ELSE -s.total END
      FROM (SELECT account_id, SUM(amount) AS total FROM new_legs GROUP BY account_id) s
     WHERE a.id = s.account_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_legs_apply AFTER INSERT ON ledger_leg
    REFERENCING NEW TABLE AS new_legs FOR EACH STATEMENT EXECUTE FUNCTION ledger_apply_legs();

-- PL/pgSQL keeps a generic plan per session; one made while the tables were small (a seq scan)
-- would stay as they grow to millions of rows. Plan these queries afresh on every call.
ALTER FUNCTION ledger_apply_legs() SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION ledger_check_balanced(bigint) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION ledger_refuse_closed_period() SET plan_cache_mode = force_custom_plan;
"""

REVERSE_SQL = r"""
ALTER FUNCTION ledger_check_balanced(bigint) RESET plan_cache_mode;
ALTER FUNCTION ledger_refuse_closed_period() RESET plan_cache_mode;
DROP TRIGGER ledger_legs_apply ON ledger_leg;
DROP FUNCTION ledger_apply_legs();

CREATE FUNCTION ledger_leg_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM ledger_check_balanced(NEW.transaction_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER ledger_leg_balanced AFTER INSERT ON ledger_leg
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_leg_balanced();

CREATE FUNCTION ledger_apply_leg() RETURNS trigger AS $$
BEGIN
    IF (SELECT t.posted_at <> now() FROM ledger_transaction t WHERE t.id = NEW.transaction_id) THEN
        RAISE EXCEPTION 'ledger: transaction % is already posted; legs cannot be added to it', NEW.transaction_id
            USING ERRCODE = '23514';
    END IF;
    UPDATE ledger_account
       SET balance = balance + CASE WHEN type IN ('asset', 'expense') THEN NEW.amount ELSE -NEW.amount END
     WHERE id = NEW.account_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_leg_apply BEFORE INSERT ON ledger_leg
    FOR EACH ROW EXECUTE FUNCTION ledger_apply_leg();
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_ledger_invariants")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]

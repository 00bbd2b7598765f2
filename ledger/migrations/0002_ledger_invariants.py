"""The ledger's rules, held by PostgreSQL so that every write path obeys them.

See ledger/models.py for the design. Every error raised here uses SQLSTATE 23514
(check_violation), which Django reports as IntegrityError.
"""

from django.db import migrations

SQL = r"""
-- A leg and its transaction, a leg and its account: always the same co-op.
ALTER TABLE ledger_leg ADD CONSTRAINT ledger_leg_same_coop_as_transaction
    FOREIGN KEY (transaction_id, cooperative_id) REFERENCES ledger_transaction (id, cooperative_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE ledger_leg ADD CONSTRAINT ledger_leg_same_coop_as_account
    FOREIGN KEY (account_id, cooperative_id) REFERENCES ledger_account (id, cooperative_id)
    DEFERRABLE INITIALLY DEFERRED;

-- 1. Balanced: checked at commit (deferred), when all the legs are in.
CREATE FUNCTION ledger_check_balanced(tx_id bigint) RETURNS void AS $$
DECLARE
    total numeric;
    legs integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, legs FROM ledger_leg WHERE transaction_id = tx_id;
    IF legs < 2 THEN
        RAISE EXCEPTION 'ledger: transaction % has % leg(s); a transaction needs at least two', tx_id, legs
            USING ERRCODE = '23514';
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger: transaction % is unbalanced: its debits and credits differ by %', tx_id, total
            USING ERRCODE = '23514';
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION ledger_leg_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM ledger_check_balanced(NEW.transaction_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION ledger_transaction_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM ledger_check_balanced(NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_leg_balanced AFTER INSERT ON ledger_leg
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_leg_balanced();
-- A transaction written with no legs at all is caught too.
CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_transaction
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balanced();

-- 2. Append-only: posted rows are never updated or deleted.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % rows are never updated or deleted; post a reversing transaction', TG_TABLE_NAME
        USING ERRCODE = '23514';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_leg_append_only BEFORE UPDATE OR DELETE ON ledger_leg
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transaction_append_only BEFORE UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

-- 3. Nothing is posted into a closed period. The share lock on the co-op row makes a posting and
-- a period closing (which locks that row for update) wait for each other.
CREATE FUNCTION ledger_refuse_closed_period() RETURNS trigger AS $$
BEGIN
    PERFORM 1 FROM coop_cooperative WHERE id = NEW.cooperative_id FOR SHARE;
    IF EXISTS (
        SELECT 1 FROM ledger_period p
        WHERE p.cooperative_id = NEW.cooperative_id AND p.reopened_at IS NULL
          AND NEW.date BETWEEN p.starts_on AND p.ends_on
    ) THEN
        RAISE EXCEPTION 'ledger: % falls in a closed period', NEW.date USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_transaction_open_period BEFORE INSERT ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_closed_period();

-- 4. Each leg moves its account's balance (on the account's normal side). Updating the account
-- row locks it, so concurrent postings to one account queue up and each sees the last balance.
-- A leg may only join a transaction written in the same database transaction: posted_at is
-- set to now() (the start of the writing transaction) by the column default.
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

-- The balance is written by ledger_apply_leg only (which runs one trigger level down), and an
-- account's type and co-op are fixed once it has legs.
CREATE FUNCTION ledger_guard_account() RETURNS trigger AS $$
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

CREATE TRIGGER ledger_account_guard BEFORE UPDATE ON ledger_account
    FOR EACH ROW EXECUTE FUNCTION ledger_guard_account();

-- 5. No overdraft: a no-overdraft account ends every transaction at or above zero.
CREATE FUNCTION ledger_check_overdraft() RETURNS trigger AS $$
DECLARE
    account record;
BEGIN
    SELECT code, no_overdraft, balance INTO account FROM ledger_account WHERE id = NEW.id;
    IF account.no_overdraft AND account.balance < 0 THEN
        RAISE EXCEPTION 'ledger: account % may not go below zero (it would be %)', account.code, account.balance
            USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_account_no_overdraft AFTER UPDATE OF balance ON ledger_account
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_overdraft();
"""

REVERSE_SQL = r"""
DROP TRIGGER ledger_account_no_overdraft ON ledger_account;
DROP FUNCTION ledger_check_overdraft();
DROP TRIGGER ledger_account_guard ON ledger_account;
DROP FUNCTION ledger_guard_account();
DROP TRIGGER ledger_leg_apply ON ledger_leg;
DROP FUNCTION ledger_apply_leg();
DROP TRIGGER ledger_transaction_open_period ON ledger_transaction;
DROP FUNCTION ledger_refuse_closed_period();
DROP TRIGGER ledger_transaction_append_only ON ledger_transaction;
DROP TRIGGER ledger_leg_append_only ON ledger_leg;
DROP FUNCTION ledger_refuse_change();
DROP TRIGGER ledger_transaction_balanced ON ledger_transaction;
DROP TRIGGER ledger_leg_balanced ON ledger_leg;
DROP FUNCTION ledger_transaction_balanced();
DROP FUNCTION ledger_leg_balanced();
DROP FUNCTION ledger_check_balanced(bigint);
ALTER TABLE ledger_leg DROP CONSTRAINT ledger_leg_same_coop_as_account;
ALTER TABLE ledger_leg DROP CONSTRAINT ledger_leg_same_coop_as_transaction;
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]

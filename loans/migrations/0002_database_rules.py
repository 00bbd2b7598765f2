"""Rules of loan rounds held by PostgreSQL: lines and loans stay in their member's co-op; a round
moves forward only; disbursed loans and their installments are never deleted."""

from django.db import migrations

SAME_COOP = [
    ("loans_roundline", "round_line_same_coop_as_member", "member_id, cooperative_id", "members_member (id, cooperative_id)"),
    ("loans_roundline", "round_line_same_coop_as_round", "round_id, cooperative_id", "loans_loanround (id, cooperative_id)"),
    ("loans_loan", "loan_same_coop_as_member", "member_id, cooperative_id", "members_member (id, cooperative_id)"),
]

RULES = r"""
CREATE FUNCTION loans_round_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'loans: a loan round is never deleted; cancel it before it is disbursed'
            USING ERRCODE = '23514';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
        (OLD.status = 'proposed' AND NEW.status IN ('approved', 'cancelled'))
        OR (OLD.status = 'approved' AND NEW.status IN ('disbursed', 'cancelled'))
    ) THEN
        RAISE EXCEPTION 'loans: a round cannot go from % to %', OLD.status, NEW.status USING ERRCODE = '23514';
    END IF;
    IF OLD.status = 'disbursed' AND (NEW.pool <> OLD.pool OR NEW.transaction_id IS DISTINCT FROM OLD.transaction_id) THEN
        RAISE EXCEPTION 'loans: a disbursed round does not change' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER loans_round_forward_only BEFORE UPDATE OR DELETE ON loans_loanround
    FOR EACH ROW EXECUTE FUNCTION loans_round_forward_only();

CREATE FUNCTION loans_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'loans: % rows are never deleted', TG_TABLE_NAME USING ERRCODE = '23514';
END $$;
CREATE TRIGGER loans_loan_never_deleted BEFORE DELETE ON loans_loan
    FOR EACH ROW EXECUTE FUNCTION loans_never_deleted();
CREATE TRIGGER loans_installment_never_deleted BEFORE DELETE ON loans_installment
    FOR EACH ROW EXECUTE FUNCTION loans_never_deleted();
"""

UNDO = """
DROP TRIGGER loans_installment_never_deleted ON loans_installment;
DROP TRIGGER loans_loan_never_deleted ON loans_loan;
DROP FUNCTION loans_never_deleted();
DROP TRIGGER loans_round_forward_only ON loans_loanround;
DROP FUNCTION loans_round_forward_only();
"""


class Migration(migrations.Migration):
    dependencies = [("loans", "0001_initial"), ("members", "0005_plot_id_member_key")]

    operations = [
        migrations.RunSQL(
            sql=[f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({columns}) REFERENCES {target} "
                 "DEFERRABLE INITIALLY DEFERRED" for table, name, columns, target in SAME_COOP],
            reverse_sql=[f"ALTER TABLE {table} DROP CONSTRAINT {name}" for table, name, _c, _t in SAME_COOP],
        ),
        migrations.RunSQL(RULES, UNDO),
    ]

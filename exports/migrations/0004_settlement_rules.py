"""A settlement's lines change only while it is computed; a posted settlement is final."""

from django.db import migrations

SAME_COOP = [
    ("exports_settlementline", "settlement_line_same_coop_as_member", "member_id, cooperative_id",
     "members_member (id, cooperative_id)"),
    ("exports_settlementline", "settlement_line_same_coop_as_settlement", "settlement_id, cooperative_id",
     "exports_settlement (id, cooperative_id)"),
]

RULES = r"""
CREATE FUNCTION exports_settlement_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'computed' THEN
            RAISE EXCEPTION 'exports: an approved or posted settlement is not deleted' USING ERRCODE = '23514';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'posted' THEN
        RAISE EXCEPTION 'exports: a posted settlement does not change' USING ERRCODE = '23514';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
        (OLD.status = 'computed' AND NEW.status = 'approved') OR (OLD.status = 'approved' AND NEW.status = 'posted')
    ) THEN
        RAISE EXCEPTION 'exports: a settlement cannot go from % to %', OLD.status, NEW.status USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER exports_settlement_forward_only BEFORE UPDATE OR DELETE ON exports_settlement
    FOR EACH ROW EXECUTE FUNCTION exports_settlement_forward_only();

-- Lines and their deductions are written while the settlement is computed, then frozen.
CREATE FUNCTION exports_settlement_line_while_computed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    settlement_status text;
BEGIN
    IF TG_TABLE_NAME = 'exports_settlementline' THEN
        SELECT status INTO settlement_status FROM exports_settlement
            WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.settlement_id ELSE NEW.settlement_id END;
    ELSE
        SELECT s.status INTO settlement_status FROM exports_settlement s JOIN exports_settlementline l
            ON l.settlement_id = s.id WHERE l.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.line_id ELSE NEW.line_id END;
    END IF;
    -- NULL: the parent is being deleted in the same statement (a computed settlement recomputed).
    IF settlement_status IS NOT NULL AND settlement_status <> 'computed' THEN
        RAISE EXCEPTION 'exports: the settlement is %; its lines do not change', settlement_status
            USING ERRCODE = '23514';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER exports_settlementline_while_computed BEFORE INSERT OR UPDATE OR DELETE ON exports_settlementline
    FOR EACH ROW EXECUTE FUNCTION exports_settlement_line_while_computed();
CREATE TRIGGER exports_settlementdeduction_while_computed BEFORE INSERT OR UPDATE OR DELETE
    ON exports_settlementdeduction FOR EACH ROW EXECUTE FUNCTION exports_settlement_line_while_computed();
"""

UNDO = """
DROP TRIGGER exports_settlementdeduction_while_computed ON exports_settlementdeduction;
DROP TRIGGER exports_settlementline_while_computed ON exports_settlementline;
DROP FUNCTION exports_settlement_line_while_computed();
DROP TRIGGER exports_settlement_forward_only ON exports_settlement;
DROP FUNCTION exports_settlement_forward_only();
"""


def open_deduction_accounts(apps, schema_editor):
    """Co-ops created before settlements get the income accounts deductions are credited to."""
    Account = apps.get_model("ledger", "Account")
    for cooperative in apps.get_model("coop", "Cooperative").objects.all():
        for code, name in (("4100", "Materiales de empaque recuperados"), ("4200", "Cuotas de la asociación")):
            Account.objects.get_or_create(cooperative=cooperative, code=code,
                                          defaults={"name": name, "type": "income", "no_overdraft": False})


class Migration(migrations.Migration):
    dependencies = [("exports", "0003_settlements")]

    operations = [
        migrations.RunSQL(
            sql=[
                f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({columns}) REFERENCES {target} "
                "DEFERRABLE INITIALLY DEFERRED"
                for table, name, columns, target in SAME_COOP
            ],
            reverse_sql=[f"ALTER TABLE {table} DROP CONSTRAINT {name}" for table, name, _c, _t in SAME_COOP],
        ),
        migrations.RunSQL(RULES, UNDO),
        migrations.RunPython(open_deduction_accounts, migrations.RunPython.noop),
    ]

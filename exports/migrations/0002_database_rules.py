"""Rules of shipments and deliveries held by PostgreSQL, whatever path writes the rows."""

from django.db import migrations

SAME_COOP = [
    # (table, constraint, columns, referenced table and columns)
    ("exports_delivery", "delivery_same_coop_as_member", "member_id, cooperative_id", "members_member (id, cooperative_id)"),
    ("exports_delivery", "delivery_same_coop_as_shipment", "shipment_id, cooperative_id", "exports_shipment (id, cooperative_id)"),
    ("exports_delivery", "delivery_plot_of_its_member", "plot_id, member_id", "members_plot (id, member_id)"),
    ("exports_shipmentstep", "step_same_coop_as_shipment", "shipment_id, cooperative_id", "exports_shipment (id, cooperative_id)"),
    ("exports_salereceipt", "sale_receipt_same_coop_as_shipment", "shipment_id, cooperative_id", "exports_shipment (id, cooperative_id)"),
]

RULES = r"""
-- A shipment moves forward only; cancelling is possible before it is shipped. Never deleted.
CREATE FUNCTION exports_shipment_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'exports: shipments are never deleted; cancel it before it is shipped' USING ERRCODE = '23514';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
        (OLD.status = 'planned' AND NEW.status IN ('loading', 'cancelled'))
        OR (OLD.status = 'loading' AND NEW.status IN ('shipped', 'cancelled'))
        OR (OLD.status = 'shipped' AND NEW.status = 'invoiced')
        OR (OLD.status = 'invoiced' AND NEW.status = 'paid')
    ) THEN
        RAISE EXCEPTION 'exports: a shipment cannot go from % to %', OLD.status, NEW.status USING ERRCODE = '23514';
    END IF;
    IF OLD.status NOT IN ('planned', 'loading', 'shipped') AND (
        NEW.invoiced_boxes IS DISTINCT FROM OLD.invoiced_boxes OR NEW.invoice_amount IS DISTINCT FROM OLD.invoice_amount
        OR NEW.price_per_box IS DISTINCT FROM OLD.price_per_box OR NEW.fairtrade IS DISTINCT FROM OLD.fairtrade
        OR NEW.sale_transaction_id IS DISTINCT FROM OLD.sale_transaction_id
    ) THEN
        RAISE EXCEPTION 'exports: an invoiced shipment keeps its invoice' USING ERRCODE = '23514';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER exports_shipment_forward_only BEFORE UPDATE OR DELETE ON exports_shipment
    FOR EACH ROW EXECUTE FUNCTION exports_shipment_forward_only();

-- Deliveries change only while their container is planned or loading: an invoice counts fixed boxes.
CREATE FUNCTION exports_delivery_while_loading() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    shipment_status text;
BEGIN
    -- FOR SHARE: a status change waits for the delivery being written, and the other way round.
    SELECT status INTO shipment_status FROM exports_shipment
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.shipment_id ELSE NEW.shipment_id END FOR SHARE;
    IF shipment_status NOT IN ('planned', 'loading') THEN
        RAISE EXCEPTION 'exports: the shipment is %; its deliveries no longer change', shipment_status
            USING ERRCODE = '23514';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.shipment_id <> OLD.shipment_id THEN
        SELECT status INTO shipment_status FROM exports_shipment WHERE id = OLD.shipment_id FOR SHARE;
        IF shipment_status NOT IN ('planned', 'loading') THEN
            RAISE EXCEPTION 'exports: the shipment is %; its deliveries no longer change', shipment_status
                USING ERRCODE = '23514';
        END IF;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER exports_delivery_while_loading BEFORE INSERT OR UPDATE OR DELETE ON exports_delivery
    FOR EACH ROW EXECUTE FUNCTION exports_delivery_while_loading();

-- Lifecycle steps and money received are records: never updated or deleted.
CREATE FUNCTION exports_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'exports: % rows are never updated or deleted', TG_TABLE_NAME USING ERRCODE = '23514';
END $$;
CREATE TRIGGER exports_shipmentstep_append_only BEFORE UPDATE OR DELETE ON exports_shipmentstep
    FOR EACH ROW EXECUTE FUNCTION exports_append_only();
CREATE TRIGGER exports_salereceipt_append_only BEFORE UPDATE OR DELETE ON exports_salereceipt
    FOR EACH ROW EXECUTE FUNCTION exports_append_only();
"""

UNDO_RULES = """
DROP TRIGGER exports_salereceipt_append_only ON exports_salereceipt;
DROP TRIGGER exports_shipmentstep_append_only ON exports_shipmentstep;
DROP FUNCTION exports_append_only();
DROP TRIGGER exports_delivery_while_loading ON exports_delivery;
DROP FUNCTION exports_delivery_while_loading();
DROP TRIGGER exports_shipment_forward_only ON exports_shipment;
DROP FUNCTION exports_shipment_forward_only();
"""


def open_operating_bank_accounts(apps, schema_editor):
    """Co-ops created before fruit money was booked get the operating bank account."""
    Account = apps.get_model("ledger", "Account")
    Cooperative = apps.get_model("coop", "Cooperative")
    for cooperative in Cooperative.objects.all():
        Account.objects.get_or_create(
            cooperative=cooperative, code="1010",
            defaults={"name": "Banco (cuenta operativa)", "type": "asset", "no_overdraft": True},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_initial"),
        ("members", "0005_plot_id_member_key"),
        ("ledger", "0004_leg_date"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({columns}) REFERENCES {target} "
                "DEFERRABLE INITIALLY DEFERRED"
                for table, name, columns, target in SAME_COOP
            ],
            reverse_sql=[f"ALTER TABLE {table} DROP CONSTRAINT {name}" for table, name, _c, _t in SAME_COOP],
        ),
        migrations.RunSQL(RULES, UNDO_RULES),
        migrations.RunPython(open_operating_bank_accounts, migrations.RunPython.noop),
    ]

"""Accruals and receipts are postings' records: never updated or deleted, and each stays in its
shipment's co-op (composite foreign keys)."""

from django.db import migrations

TABLES = ("premiums_premiumaccrual", "premiums_premiumreceipt")


class Migration(migrations.Migration):
    dependencies = [
        ("premiums", "0002_premium_rates_accruals_receipts"),
        ("exports", "0002_database_rules"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                f"ALTER TABLE {table} ADD CONSTRAINT {table}_same_coop_as_shipment FOREIGN KEY "
                "(shipment_id, cooperative_id) REFERENCES exports_shipment (id, cooperative_id) DEFERRABLE INITIALLY DEFERRED"
                for table in TABLES
            ] + [
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION exports_append_only()"
                for table in TABLES
            ],
            reverse_sql=[f"DROP TRIGGER {table}_append_only ON {table}" for table in TABLES]
            + [f"ALTER TABLE {table} DROP CONSTRAINT {table}_same_coop_as_shipment" for table in TABLES],
        ),
    ]

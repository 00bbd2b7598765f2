"""Repayments and write-offs are records: never updated or deleted."""

from django.db import migrations

TABLES = ("loans_repayment", "loans_writeoff")


class Migration(migrations.Migration):
    dependencies = [("loans", "0003_repayments"), ("loans", "0002_database_rules")]

    operations = [
        migrations.RunSQL(
            sql=["""
                CREATE FUNCTION loans_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'loans: % rows are never updated or deleted', TG_TABLE_NAME
                        USING ERRCODE = '23514';
                END $$;
            """] + [f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION loans_append_only()" for table in TABLES],
            reverse_sql=[f"DROP TRIGGER {table}_append_only ON {table}" for table in TABLES]
            + ["DROP FUNCTION loans_append_only()"],
        ),
    ]

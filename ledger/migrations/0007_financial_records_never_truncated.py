"""Financial records are never truncated, whoever asks.

TRUNCATE fires no row triggers, so it would empty an append-only table past every rule above.
The runtime role holds no TRUNCATE privilege (ops/privileges.py); this trigger also refuses a
superuser, or a role granted TRUNCATE by mistake. Only the tables' owner may: it runs migrations
and empties the test database between transactional tests, and could drop the trigger anyway.

The tables are the books, the documents that post to them, and the records of what people did
with money (steps, approvals, status changes), across the apps; a financial table made later
gets the same trigger in its own migration.
"""

from django.db import migrations

FINANCIAL_TABLES = [
    "ledger_account", "ledger_transaction", "ledger_leg", "ledger_period", "ledger_periodreopening",
    "exports_shipment", "exports_shipmentstep", "exports_salereceipt",
    "exports_settlement", "exports_settlementline", "exports_settlementdeduction",
    "premiums_premiumaccrual", "premiums_premiumreceipt", "premiums_allocation", "premiums_spending",
    "loans_loanround", "loans_loan", "loans_installment", "loans_repayment", "loans_writeoff", "loans_reschedule",
    "medfund_claim", "medfund_claimapproval", "medfund_claimstep", "medfund_claimdocument",
    "members_memberstatuschange",
]

FUNCTION = r"""
CREATE FUNCTION refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_user <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
        RAISE EXCEPTION '%: financial records are never truncated', TG_TABLE_NAME USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_account_rules"),
        ("exports", "0006_loan_deductions"),
        ("premiums", "0003_premium_records_append_only"),
        ("loans", "0005_reschedules"),
        ("medfund", "0004_step_amount_and_document"),
        ("members", "0005_plot_id_member_key"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION refuse_truncate();"),
        migrations.RunSQL(
            [f"CREATE TRIGGER never_truncated BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()"
             for table in FINANCIAL_TABLES],
            [f"DROP TRIGGER never_truncated ON {table}" for table in FINANCIAL_TABLES],
        ),
    ]

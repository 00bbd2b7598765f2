"""Closing and reopening a period are kept as events, never edited.

A period used to be reopened by filling in reopened_by/at/reason on its row. Now the row is
insert-only and a reopening is a row of its own (who, when, why; the reason never blank); a
period is closed while it has no reopening, and closing the same dates again is a new period.
Existing reopenings move to the new table before the old columns go.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVE = """
INSERT INTO ledger_periodreopening (period_id, reopened_by_id, reopened_at, reason)
SELECT id, reopened_by_id, reopened_at,
       -- The services always asked for a reason; a row written around them gets a placeholder.
       COALESCE(NULLIF(btrim(reopen_reason), ''), '(motivo no registrado)')
  FROM ledger_period WHERE reopened_at IS NOT NULL;
"""

MOVE_BACK = """
UPDATE ledger_period p SET reopened_by_id = r.reopened_by_id, reopened_at = r.reopened_at, reopen_reason = r.reason
  FROM ledger_periodreopening r WHERE r.period_id = p.id;
"""

RULES = r"""
CREATE FUNCTION ledger_period_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % rows are never updated or deleted; a period is reopened by a reopening and closed again as a new period',
        TG_TABLE_NAME USING ERRCODE = '23514';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_period_append_only BEFORE UPDATE OR DELETE ON ledger_period
    FOR EACH ROW EXECUTE FUNCTION ledger_period_refuse_change();
CREATE TRIGGER ledger_periodreopening_append_only BEFORE UPDATE OR DELETE ON ledger_periodreopening
    FOR EACH ROW EXECUTE FUNCTION ledger_period_refuse_change();

-- As in 0002, but a period is closed while it has no reopening. (CREATE OR REPLACE resets the
-- function's settings, so 0003's plan_cache_mode is given again.)
CREATE OR REPLACE FUNCTION ledger_refuse_closed_period() RETURNS trigger AS $$
BEGIN
    PERFORM 1 FROM coop_cooperative WHERE id = NEW.cooperative_id FOR SHARE;
    IF EXISTS (
        SELECT 1 FROM ledger_period p
        WHERE p.cooperative_id = NEW.cooperative_id AND NEW.date BETWEEN p.starts_on AND p.ends_on
          AND NOT EXISTS (SELECT 1 FROM ledger_periodreopening r WHERE r.period_id = p.id)
    ) THEN
        RAISE EXCEPTION 'ledger: % falls in a closed period', NEW.date USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan;
"""

RULES_REVERSE = r"""
CREATE OR REPLACE FUNCTION ledger_refuse_closed_period() RETURNS trigger AS $$
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
$$ LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan;

DROP TRIGGER ledger_periodreopening_append_only ON ledger_periodreopening;
DROP TRIGGER ledger_period_append_only ON ledger_period;
DROP FUNCTION ledger_period_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_leg_date"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PeriodReopening",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reopened_at", models.DateTimeField(auto_now_add=True, verbose_name="reopened at")),
                ("reason", models.CharField(max_length=300, verbose_name="reason for reopening")),
                ("period", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="reopening",
                                                to="ledger.period", verbose_name="period")),
                ("reopened_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                  to=settings.AUTH_USER_MODEL, verbose_name="reopened by")),
            ],
            options={
                "verbose_name": "reopening of a period",
                "verbose_name_plural": "reopenings of periods",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("reason__regex", "\\S")), name="period_reopening_has_reason"),
                ],
            },
        ),
        migrations.RunSQL(MOVE, MOVE_BACK),
        migrations.RemoveField(model_name="period", name="reopen_reason"),
        migrations.RemoveField(model_name="period", name="reopened_at"),
        migrations.RemoveField(model_name="period", name="reopened_by"),
        migrations.RunSQL(RULES, RULES_REVERSE),
    ]

"""The ledger at size: posting speed through the service and through one INSERT ... SELECT, then
the trial balance and an account statement page at 1,000,000 legs.

Run through bench/run (scratch database). BENCH_LEDGER_POSTINGS sets how many two-leg
transactions each way (default 100,000).
"""

import datetime
import json
import os
import statistics
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.dev")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
warnings.filterwarnings("ignore", "No directory at")
django.setup()

from django.db import connection, transaction  # noqa: E402

from coop.models import Cooperative, Role  # noqa: E402
from coop.services import cooperative_create  # noqa: E402
from ledger import selectors  # noqa: E402
from ledger.models import Account, Leg  # noqa: E402
from ledger.services import transaction_post  # noqa: E402
from tests.factories import user_with_role  # noqa: E402

POSTINGS = int(os.environ.get("BENCH_LEDGER_POSTINGS", "100000"))
TARGET_LEGS = int(os.environ.get("BENCH_LEDGER_LEGS", "1000000"))
REPEATS = 20


def timed(function, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_leg; ANALYZE ledger_transaction; ANALYZE ledger_account")


def bulk_sql(coop, debit, credit, count, offset=0):
    """``count`` two-leg transactions in one INSERT ... SELECT statement (one database transaction)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH tx AS (
                INSERT INTO ledger_transaction (cooperative_id, date, memo, source)
                SELECT %s, date '2026-01-01' + ((g + %s) %% 365), 'bulk ' || (g + %s), 'bench'
                FROM generate_series(1, %s) AS g
                RETURNING id, date
            )
            INSERT INTO ledger_leg (cooperative_id, transaction_id, account_id, amount, date)
            SELECT %s, tx.id, leg.account_id, leg.amount, tx.date
            FROM tx CROSS JOIN (VALUES (%s, 1.00), (%s, -1.00)) AS leg (account_id, amount)
            """,
            [coop.pk, offset, offset, count, coop.pk, debit.pk, credit.pk],
        )


def main():
    coop = Cooperative.objects.filter(short_name="BENCH").first() or cooperative_create(
        name="Cooperativa de prueba de carga", short_name="BENCH", country="PE")
    accounts = {a.code: a for a in Account.objects.filter(cooperative=coop)}
    receivable, unallocated = accounts["1100"], accounts["3000"]
    accountant = user_with_role(Role.ACCOUNTANT, coop, username=f"bench-{time.time_ns()}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        result = {"postings_each_way": POSTINGS, "autovacuum": cursor.fetchone()[0]}

    started = time.perf_counter()
    for number in range(POSTINGS):
        if number % 10_000 == 0:
            analyze()  # as autovacuum would; it is off on some machines (SHOW autovacuum)
        transaction_post(cooperative=coop, date=datetime.date(2026, 1, 1) + datetime.timedelta(days=number % 365),
                         memo=f"service {number}", actor=accountant,
                         legs=[(receivable, Decimal("1.00")), (unallocated, Decimal("-1.00"))])
    service_seconds = time.perf_counter() - started

    started = time.perf_counter()
    bulk_sql(coop, receivable, unallocated, POSTINGS)
    sql_seconds = time.perf_counter() - started
    result |= {
        "service_legs_per_second": round(2 * POSTINGS / service_seconds),
        "sql_legs_per_second": round(2 * POSTINGS / sql_seconds),
        "sql_to_service_ratio": round(service_seconds / sql_seconds, 1),
    }

    legs = Leg.objects.filter(cooperative=coop).count()
    while legs < TARGET_LEGS:
        batch = min(200_000, (TARGET_LEGS - legs + 1) // 2)
        bulk_sql(coop, receivable, unallocated, batch, offset=legs)
        legs += 2 * batch
    analyze()
    receivable.refresh_from_db()
    assert receivable.balance == Decimal(legs // 2), "maintained balance differs from the legs"

    user = accountant
    last = Leg.objects.filter(account=receivable).order_by("-date", "-id")[60]
    result |= {
        "legs": Leg.objects.filter(cooperative=coop).count(),
        "trial_balance_now": timed(lambda: selectors.trial_balance(user=user, cooperative=coop)),
        "trial_balance_at_a_date": timed(lambda: selectors.trial_balance(user=user, cooperative=coop,
                                                                         on=datetime.date(2026, 6, 30)), repeats=5),
        "statement_first_page": timed(lambda: selectors.account_statement(account=receivable)),
        "statement_page_near_the_end": timed(
            lambda: selectors.account_statement(account=receivable, after=(last.date, last.pk)), repeats=5),
    }
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "ledger.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

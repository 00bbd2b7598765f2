"""A loan round for 100,000 members with 4,000,000 deliveries in the reference quarter.

Measures ``loans.services.compute_lines`` (production per member in one query, the exclusions,
the pro-rata allocation in integer cents with largest remainder, a line per active member) and,
in the same run, one hand-written SQL statement computing the same pro-rata amounts with
largest-remainder rounding (no caps, no minimum), and checks both give the same cents. Run
through bench/run (a scratch database).
"""

import dataclasses
import datetime
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.dev")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from coop import demo  # noqa: E402
from coop.models import Cooperative, User  # noqa: E402
from exports.models import Importer, Product  # noqa: E402
from loans import services  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_LOAN_MEMBERS", "100000"))
DELIVERIES = int(os.environ.get("BENCH_LOAN_DELIVERIES", "4000000"))
POOL = Decimal("250000.00")
REFERENCE = (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
RUNS = 3

PRO_RATA_SQL = """
WITH production AS (
    SELECT d.member_id, m.number, SUM(d.accepted_boxes)::bigint AS boxes
    FROM exports_delivery d
    JOIN exports_shipment s ON s.id = d.shipment_id
    JOIN members_member m ON m.id = d.member_id
    WHERE d.cooperative_id = %(coop)s AND d.date BETWEEN %(start)s AND %(end)s AND s.fairtrade
      AND s.status <> 'cancelled' AND m.status = 'active'
    GROUP BY d.member_id, m.number
    HAVING SUM(d.accepted_boxes) > 0
), total AS (SELECT SUM(boxes)::bigint AS boxes FROM production),
shares AS (
    SELECT member_id, number, (%(cents)s::bigint * p.boxes) / t.boxes AS cents,
           (%(cents)s::bigint * p.boxes) %% t.boxes AS remainder
    FROM production p, total t
), ranked AS (
    SELECT member_id, cents, row_number() OVER (ORDER BY remainder DESC, number) AS place FROM shares
)
SELECT member_id, cents + CASE WHEN place <= %(cents)s::bigint - (SELECT SUM(cents) FROM shares) THEN 1 ELSE 0 END
FROM ranked
"""


def load(coop, actor) -> float:
    """Shipments in the reference quarter and DELIVERIES deliveries spread over the members' plots."""
    started = time.perf_counter()
    product = Product.objects.create(cooperative=coop, code="BAN", name="Banano", kg_per_unit=Decimal("18.140"),
                                     units_per_container=1080)
    importer = Importer.objects.get_or_create(name="Bench importer", country="DE")[0]
    containers = -(-DELIVERIES // 1000)
    with connection.cursor() as cursor:
        # Set-based loads; the trigger guarding sailed containers is off for the load only.
        cursor.execute(
            """
            INSERT INTO exports_shipment (cooperative_id, importer_id, product_id, container_number, seal_number,
                booking_number, vessel, voyage, port_of_loading, port_of_destination, etd, eta, incoterm,
                price_per_box, fairtrade, organic, capacity, status, invoice_number, created_by_id, created_at)
            SELECT %(coop)s, %(importer)s, %(product)s, 'BNCU' || lpad(g::text, 7, '0'), '', '', '', '', 'Paita',
                   'Rotterdam', %(start)s + (g %% 90), NULL, 'FOB', 14.20, true, false, 1080, 'shipped', '',
                   %(actor)s, now()
            FROM generate_series(1, %(containers)s) AS g
            """,
            {"coop": coop.pk, "importer": importer.pk, "product": product.pk, "start": REFERENCE[0],
             "containers": containers, "actor": actor.pk},
        )
        cursor.execute("ALTER TABLE exports_delivery DISABLE TRIGGER exports_delivery_while_loading")
        cursor.execute(
            """
            WITH plots AS (SELECT row_number() OVER (ORDER BY id) AS n, id, member_id FROM members_plot
                           WHERE cooperative_id = %(coop)s),
                 total AS (SELECT count(*) AS c FROM plots),
                 containers AS (SELECT row_number() OVER (ORDER BY id) AS n, id, etd FROM exports_shipment
                                WHERE cooperative_id = %(coop)s)
            INSERT INTO exports_delivery (cooperative_id, shipment_id, member_id, plot_id, date, accepted_boxes,
                                          rejected_boxes, rejection_reason_id, recorded_by_id, recorded_at)
            SELECT %(coop)s, c.id, p.member_id, p.id, c.etd, 1 + (g * 7) %% 40, 0, NULL, %(actor)s, now()
            FROM generate_series(1, %(deliveries)s) AS g
            JOIN containers c ON c.n = 1 + (g - 1) / 1000
            JOIN plots p ON p.n = 1 + (g::bigint * 7919) %% (SELECT c FROM total)
            """,
            {"coop": coop.pk, "actor": actor.pk, "deliveries": DELIVERIES},
        )
        cursor.execute("ALTER TABLE exports_delivery ENABLE TRIGGER exports_delivery_while_loading")
        for table in ("exports_delivery", "exports_shipment", "members_member", "members_plot"):
            cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def main():
    call_command("migrate", verbosity=0)
    coop = Cooperative.objects.filter(short_name="LOANS").first()
    seeded = loaded = None
    if coop is None:  # BENCH_KEEP_DATABASE=1 keeps a database loaded by an earlier run
        rng = random.Random(100000)
        plan = dataclasses.replace(demo.APOQ, short_name="LOANS", name="Bench loans co-op", members=MEMBERS)
        started = time.perf_counter()
        coop = demo.create_cooperative(plan, rng)
        demo.populate_members(coop, plan, MEMBERS, rng)
        seeded = round(time.perf_counter() - started, 1)
        actor = User.objects.create_user("bench-loans")
        loaded = round(load(coop, actor), 1)

    service_times, sql_times = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        lines = services.compute_lines(cooperative_id=coop.pk, on=datetime.date(2026, 10, 1),
                                       reference_start=REFERENCE[0], reference_end=REFERENCE[1], pool=POOL,
                                       minimum=Decimal("0"), maximum=None, overdue_days=30)
        service_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(PRO_RATA_SQL, {"coop": coop.pk, "start": REFERENCE[0], "end": REFERENCE[1],
                                          "cents": int(POOL * 100)})
            by_sql = dict(cursor.fetchall())
        sql_times.append(time.perf_counter() - started)
    by_service = {line.member_id: int(line.amount * 100) for line in lines if line.amount}
    results = {
        "machine": f"{os.cpu_count()} cores",
        "members": MEMBERS, "deliveries": DELIVERIES, "seed_members_seconds": seeded,
        "load_deliveries_seconds": loaded,
        "compute_lines_seconds": [round(t, 2) for t in service_times],
        "one_sql_statement_seconds": [round(t, 2) for t in sql_times],
        "median_ratio": round(statistics.median(service_times) / statistics.median(sql_times), 2),
        "same_cents": by_service == by_sql, "members_lent": len(by_service),
        "total_cents": sum(by_service.values()),
    }
    print(json.dumps(results, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "loans.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

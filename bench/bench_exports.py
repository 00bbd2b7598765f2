"""Shipments at cluster size: 10,000 shipments and 1,000,000 deliveries.

- the shipment list (API, a page of 100) and a shipment's detail with its traceability: median
  and p95 latency and SQL queries per request, at page sizes 10, 50 and 100;
- a bare DRF endpoint returning a static list, measured the same way in the same run, and the ratio;
- a weekly settlement for 9,000 producers: seconds to compute, approve and post.

Run through bench/run (after bench_members.py, whose 10,000-member co-op it uses). The rows are
loaded with set-based SQL (INSERT ... SELECT over generate_series), through the same triggers
and constraints as the application's writes.
"""

import datetime
import json
import os
import random
import statistics
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.dev")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from knox.models import AuthToken  # noqa: E402

from coop.models import Cooperative, User  # noqa: E402
from exports import settlements  # noqa: E402
from exports.models import DeductionType, Importer, ImporterClient, ProducerPrice, Product, Shipment  # noqa: E402
from exports.validators import container_check_digit  # noqa: E402
from ledger.models import Account  # noqa: E402

warnings.filterwarnings("ignore", "No directory at")

SHIPMENTS = int(os.environ.get("BENCH_SHIPMENTS", "10000"))
LINES_PER_SHIPMENT = int(os.environ.get("BENCH_LINES", "100"))
PRODUCERS = int(os.environ.get("BENCH_PRODUCERS", "9000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
SETTLEMENT_WEEK = datetime.date(2026, 11, 2)  # a Monday


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def series(client, urls, **headers):
    timings, counts = [], set()
    for url in urls:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_HOST="localhost", **headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        counts.add(len(queries))
    return {"median_ms": round(statistics.median(timings), 1), "p95_ms": round(percentile(timings, 0.95), 1),
            "queries": sorted(counts)}


def load_shipments(coop: Cooperative, actor: User, product: Product, importers) -> float:
    """SHIPMENTS containers over two years, each with LINES_PER_SHIPMENT deliveries."""
    rng = random.Random(6346)
    started = time.perf_counter()
    rows = []
    first_day = SETTLEMENT_WEEK - datetime.timedelta(days=730)
    for n in range(SHIPMENTS):
        first_ten = f"{rng.choice(['MSK', 'HLX', 'CMA', 'SUD'])}U{n:06d}"
        rows.append(Shipment(
            cooperative=coop, importer=importers[n % len(importers)], product=product,
            container_number=first_ten + str(container_check_digit(first_ten)),
            etd=first_day + datetime.timedelta(days=n * 700 // SHIPMENTS), port_of_loading="Paita",
            port_of_destination="Rotterdam", price_per_box=Decimal("14.20"), fairtrade=True, organic=False,
            capacity=1080, status="shipped", created_by=actor))
    # Inserted as shipped, then given their deliveries by one statement with the trigger that
    # guards shipped containers switched off for the load only (it is back on for the requests).
    Shipment.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE exports_delivery DISABLE TRIGGER exports_delivery_while_loading")
        cursor.execute(
            """
            WITH plots AS (
                SELECT row_number() OVER (ORDER BY p.id) AS n, p.id, p.member_id
                FROM members_plot p WHERE p.cooperative_id = %(coop)s
            ), total AS (SELECT count(*) AS c FROM plots)
            INSERT INTO exports_delivery (cooperative_id, shipment_id, member_id, plot_id, date, accepted_boxes,
                                          rejected_boxes, rejection_reason_id, recorded_by_id, recorded_at)
            SELECT s.cooperative_id, s.id, plots.member_id, plots.id, s.etd - 2, 10, 0, NULL, %(actor)s, now()
            FROM exports_shipment s
            CROSS JOIN generate_series(1, %(lines)s) AS g
            JOIN plots ON plots.n = 1 + ((s.id::bigint * %(lines)s + g) * 7919) %% (SELECT c FROM total)
            WHERE s.cooperative_id = %(coop)s
            """,
            {"coop": coop.pk, "actor": actor.pk, "lines": LINES_PER_SHIPMENT},
        )
        cursor.execute("ALTER TABLE exports_delivery ENABLE TRIGGER exports_delivery_while_loading")
        for table in ("exports_shipment", "exports_delivery", "members_plot", "members_member"):
            cursor.execute(f"ANALYZE {table}")  # autovacuum is off on the benchmark machine
    return time.perf_counter() - started


def load_settlement_week(coop: Cooperative, actor: User, product: Product, importer, reason) -> None:
    """PRODUCERS producers each delivering once in SETTLEMENT_WEEK, in shipped containers."""
    containers = -(-PRODUCERS // 100)
    rows = []
    for n in range(containers):
        first_ten = f"TGHU{900000 + n:06d}"
        rows.append(Shipment(
            cooperative=coop, importer=importer, product=product,
            container_number=first_ten + str(container_check_digit(first_ten)),
            etd=SETTLEMENT_WEEK + datetime.timedelta(days=5), port_of_loading="Paita", port_of_destination="Hamburg",
            price_per_box=Decimal("14.20"), fairtrade=True, capacity=1080, status="loading", created_by=actor))
    shipments = Shipment.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH producers AS (
                SELECT row_number() OVER (ORDER BY m.id) - 1 AS n, m.id AS member_id,
                       (SELECT min(p.id) FROM members_plot p WHERE p.member_id = m.id) AS plot_id
                FROM members_member m
                WHERE m.cooperative_id = %(coop)s AND EXISTS (SELECT 1 FROM members_plot p WHERE p.member_id = m.id)
            )
            INSERT INTO exports_delivery (cooperative_id, shipment_id, member_id, plot_id, date, accepted_boxes,
                                          rejected_boxes, rejection_reason_id, recorded_by_id, recorded_at)
            SELECT %(coop)s, (%(shipments)s::bigint[])[1 + n / 100], member_id, plot_id, %(day)s,
                   5 + n %% 30, n %% 3, CASE WHEN n %% 3 > 0 THEN %(reason)s::bigint END, %(actor)s, now()
            FROM producers WHERE n < %(producers)s
            """,
            {"coop": coop.pk, "actor": actor.pk, "producers": PRODUCERS, "reason": reason.pk,
             "day": SETTLEMENT_WEEK + datetime.timedelta(days=2), "shipments": [s.pk for s in shipments]},
        )
    Shipment.objects.filter(pk__in=[s.pk for s in shipments]).update(status="shipped")


def main():
    settings.DEBUG = False
    coop = Cooperative.objects.get(short_name="APOQ")  # 10,000 members, from bench_members.py
    actor = User.objects.get(username="apoq.contador")
    board = User.objects.get(username="apoq.directivo")
    product = Product.objects.get(cooperative=coop, code="BAN-ORG")
    importers = list(Importer.objects.order_by("pk"))
    load_seconds = load_shipments(coop, actor, product, importers)
    load_settlement_week(coop, actor, product, importers[0], coop.rejection_reasons.first())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE exports_delivery")
    deliveries = connection.cursor()
    deliveries.execute("SELECT count(*) FROM exports_delivery")
    delivery_count = deliveries.fetchone()[0]

    staff = Client()
    staff.force_login(actor)
    client_user = ImporterClient.objects.filter(importer=importers[0]).first().user
    _instance, token = AuthToken.objects.create(user=client_user)
    importer_auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    importer = Client()
    rng = random.Random(7)
    own = list(Shipment.objects.filter(importer=importers[0], cooperative=coop).values_list("pk", flat=True))
    pages = Shipment.objects.filter(importer=importers[0]).count() // 100

    with override_settings(ROOT_URLCONF="bench.bench_exports_urls"):
        series(staff, ["/api/v1/shipments/?page_size=100"] * 3)  # warm up
        results = {
            "machine": f"{os.cpu_count()} cores",
            "shipments": Shipment.objects.count(),
            "deliveries": delivery_count,
            "load_seconds": round(load_seconds, 1),
            "api_shipment_list_importer_100": series(
                importer, [f"/api/v1/shipments/?page_size=100&page={rng.randint(1, pages)}" for _ in range(REQUESTS)],
                **importer_auth),
            "api_shipment_list_staff_100": series(
                staff, [f"/api/v1/shipments/?page_size=100&page={rng.randint(1, 90)}" for _ in range(REQUESTS)]),
            "api_shipment_detail_importer": series(
                importer, [f"/api/v1/shipments/{rng.choice(own)}/" for _ in range(REQUESTS)], **importer_auth),
            "bare_drf_static_list": series(importer, ["/bench/static/"] * REQUESTS, **importer_auth),
            "queries_by_page_size": {
                size: series(importer, [f"/api/v1/shipments/?page_size={size}&page=2"], **importer_auth)["queries"]
                for size in (10, 50, 100)
            },
            "shipment_page_staff": series(staff, [f"/exports/shipments/{rng.choice(own)}/" for _ in range(REQUESTS)]),
        }
    results["ratio_list_to_bare"] = round(
        results["api_shipment_list_importer_100"]["median_ms"] / results["bare_drf_static_list"]["median_ms"], 1)

    print(json.dumps(results, indent=2, ensure_ascii=False), flush=True)
    accounts = {a.code: a for a in Account.objects.filter(cooperative=coop)}
    for organic, price in ((False, Decimal("6.50")), (True, Decimal("7.80"))):
        ProducerPrice.objects.get_or_create(cooperative=coop, product=product, organic=organic,
                                            valid_from=datetime.date(2024, 1, 1), defaults={"price": price})
    DeductionType.objects.get_or_create(cooperative=coop, code="PACK", defaults={
        "name": "Cartones", "basis": "per_box", "rate": Decimal("0.45"), "priority": 1, "account": accounts["4100"]})
    DeductionType.objects.get_or_create(cooperative=coop, code="FEE", defaults={
        "name": "Cuota", "basis": "per_week", "rate": Decimal("2.00"), "priority": 2, "account": accounts["4200"]})
    started = time.perf_counter()
    settlement = settlements.settlement_compute(cooperative=coop, week_start=SETTLEMENT_WEEK, actor=actor)
    compute = time.perf_counter() - started
    started = time.perf_counter()
    settlements.settlement_approve(settlement=settlement, actor=board)
    settlements.settlement_post(settlement=settlement, actor=actor)
    post = time.perf_counter() - started
    results["settlement"] = {"producers": settlement.lines.count(), "compute_seconds": round(compute, 2),
                             "approve_and_post_seconds": round(post, 2)}
    print(json.dumps(results["settlement"], indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "exports.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Reports for a 9,000-member co-op: the premium report and a week's settlement slips.

- The premium report of three years whose invoiced shipments make it about 20, 100 and 500 pages,
  to show how layout time grows with pages (goal: linear; 500 pages within 6x the time of 100).
- The settlement slips of a week with 9,000 producers: one page each, laid out in chunks.

Each report is built in a process of its own (``bench_reports.py build <id>``, the worker's own
code path without the broker), which reports seconds, pages and its peak memory (ru_maxrss).
Shipments, premium accruals and their journal entries are loaded with bulk inserts through the
ledger's triggers (the containers stay "shipped": their sale's invoice is not what the premium
report reads). Run through bench/run (a scratch database); reuses the co-op the member and
exports benchmarks made when they ran first.
"""

import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.dev")
os.environ.setdefault("MEDIA_ROOT", "/tmp/coop-bench-media")  # the PDFs built here are not kept
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from coop import demo  # noqa: E402
from coop.models import Cooperative, User  # noqa: E402
from exports.models import Importer, Product, Shipment  # noqa: E402
from exports.validators import container_check_digit  # noqa: E402
from ledger.models import Account, Leg, Transaction  # noqa: E402
from premiums.models import PremiumAccrual, PremiumRate  # noqa: E402
from reports import services  # noqa: E402
from reports.models import Report  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_REPORT_MEMBERS", "9000"))
# Invoiced shipments per year: about 20, 100 and 500 pages of the premium report.
YEARS = {2023: int(os.environ.get("BENCH_SHIPMENTS_20", "540")),
         2024: int(os.environ.get("BENCH_SHIPMENTS_100", "3020")),
         2025: int(os.environ.get("BENCH_SHIPMENTS_500", "15420"))}
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "3"))
SLIP_RUNS = int(os.environ.get("BENCH_SLIP_RUNS", "1"))  # 0: no slips


def build_one(report_id: int) -> None:
    """In a process of its own: build the report, print seconds, pages and peak memory."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Report.objects.filter(pk=report_id).update(status="queued", file="", pages=None, progress=0)
    started = time.perf_counter()
    report = services.report_build(report_id=report_id)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": round(seconds, 2), "pages": report.pages, "peak_mb": round(peak / 1024),
                      "baseline_mb": round(before / 1024)}))


def measure(report: Report, runs: int) -> dict:
    results = []
    for _ in range(runs):
        output = subprocess.run([sys.executable, __file__, "build", str(report.pk)], capture_output=True, text=True,
                                check=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    seconds = [r["seconds"] for r in results]
    return {"pages": results[0]["pages"], "median_seconds": statistics.median(seconds), "runs_seconds": seconds,
            "peak_mb": max(r["peak_mb"] for r in results), "baseline_mb": results[0]["baseline_mb"],
            "seconds_per_page": round(statistics.median(seconds) / results[0]["pages"], 4)}


def the_cooperative() -> tuple[Cooperative, User]:
    call_command("migrate", verbosity=0)
    coop = Cooperative.objects.filter(short_name="APOQ").first()
    if coop is None:
        demo.seed(members=MEMBERS)
        coop = Cooperative.objects.get(short_name="APOQ")
    return coop, User.objects.get(username="apoq.contador")


def load_invoiced_years(coop: Cooperative, actor: User) -> None:
    """YEARS[year] invoiced Fairtrade containers in each year, each with its premium accrual and the
    accrual's journal entry (premium receivable / unallocated premium)."""
    rng = random.Random(2026)
    product = Product.objects.get(cooperative=coop, code="BAN-ORG")
    importers = list(Importer.objects.order_by("pk"))
    rate = PremiumRate.objects.filter(cooperative=coop, product=product).first()
    accounts = {a.code: a for a in Account.objects.filter(cooperative=coop, code__in=["1100", "3000"])}
    serial = 500000
    for year, count in YEARS.items():
        if PremiumAccrual.objects.filter(cooperative=coop, date__year=year).exists():
            continue
        with transaction.atomic():
            shipments, entries = [], []
            for n in range(count):
                serial += 1
                first_ten = f"{rng.choice(['MSK', 'HLX', 'CMA', 'SUD'])}U{serial:06d}"
                day = datetime.date(year, 1, 1) + datetime.timedelta(days=n * 364 // count)
                shipments.append(Shipment(
                    cooperative=coop, importer=importers[n % len(importers)], product=product,
                    container_number=first_ten + str(container_check_digit(first_ten)), etd=day,
                    port_of_loading="Paita", port_of_destination="Rotterdam", price_per_box=Decimal("14.20"),
                    fairtrade=True, capacity=1080, status="shipped", invoice_number=f"F{year}-{n:05d}",
                    invoiced_on=day, created_by=actor))
                entries.append(Transaction(cooperative=coop, date=day, memo=f"Prima {first_ten}", posted_by=actor,
                                           source=f"bench-shipment:{serial}"))
            Shipment.objects.bulk_create(shipments, batch_size=5000)
            Transaction.objects.bulk_create(entries, batch_size=5000)
            Leg.objects.bulk_create(
                [Leg(cooperative=coop, transaction=entry, account=accounts[code], amount=amount, date=entry.date)
                 for entry in entries for code, amount in (("1100", Decimal("1080.00")), ("3000", Decimal("-1080.00")))],
                batch_size=10000)
            PremiumAccrual.objects.bulk_create(
                [PremiumAccrual(cooperative=coop, shipment=shipment, rate=rate, boxes=1080, amount=Decimal("1080.00"),
                                date=shipment.invoiced_on, transaction=entry, posted_by=actor)
                 for shipment, entry in zip(shipments, entries, strict=True)], batch_size=5000)
    with connection.cursor() as cursor:
        for table in ("exports_shipment", "premiums_premiumaccrual", "ledger_leg", "ledger_transaction"):
            cursor.execute(f"ANALYZE {table}")


def settlement_week(coop: Cooperative, actor: User):
    """The exports benchmark's 9,000-producer week, computed (loaded here if it did not run)."""
    from bench import bench_exports
    from exports import settlements
    from exports.models import ProducerPrice, Settlement

    existing = Settlement.objects.filter(cooperative=coop, week_start=bench_exports.SETTLEMENT_WEEK).first()
    if existing:
        return existing
    product = Product.objects.get(cooperative=coop, code="BAN-ORG")
    bench_exports.load_settlement_week(coop, actor, product, Importer.objects.order_by("pk").first(),
                                       coop.rejection_reasons.first())
    for organic, price in ((False, Decimal("6.50")), (True, Decimal("7.80"))):
        ProducerPrice.objects.get_or_create(cooperative=coop, product=product, organic=organic,
                                            valid_from=datetime.date(2024, 1, 1), defaults={"price": price})
    return settlements.settlement_compute(cooperative=coop, week_start=bench_exports.SETTLEMENT_WEEK, actor=actor)


def report_for(coop: Cooperative, actor: User, kind: str, params: dict) -> Report:
    from reports.base import kind_of

    return Report.objects.create(cooperative=coop, kind=kind, params=params, language="es", requested_by=actor,
                                 title=kind_of(kind).title(coop, params)[:200])


def main():
    settings.DEBUG = False
    coop, actor = the_cooperative()
    started = time.perf_counter()
    load_invoiced_years(coop, actor)
    results = {"machine": f"{os.cpu_count()} cores", "members": coop.members.count(),
               "load_seconds": round(time.perf_counter() - started, 1), "premium_report": {}}
    for year, count in YEARS.items():
        measured = measure(report_for(coop, actor, "premium", {"year": year}), RUNS)
        results["premium_report"][f"{year} ({count} shipments)"] = measured
        print(year, json.dumps(measured), flush=True)
    pages = {key: value["median_seconds"] for key, value in results["premium_report"].items()}
    small, middle, large = list(pages.values())
    results["ratio_500_to_100_pages"] = round(large / middle, 2)
    results["ratio_100_to_20_pages"] = round(middle / small, 2)
    if SLIP_RUNS:
        settlement = settlement_week(coop, actor)
        results["settlement_slips"] = measure(report_for(coop, actor, "settlement_slips",
                                                         {"settlement": settlement.pk}), SLIP_RUNS)
        results["settlement_slips"]["producers"] = settlement.lines.count()
    print(json.dumps(results, indent=2, ensure_ascii=False), flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "reports.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1:2] == ["build"]:
        build_one(int(sys.argv[2]))
    else:
        main()

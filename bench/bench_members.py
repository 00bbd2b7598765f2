"""Member register at 10,000 members: seeding time, list and member page latency, SQL per page.

Run through bench/run, which points DATABASE_URL at a scratch database. Requests go through
Django's test client in this process (server time, no network), logged in as an accountant.
"""

import json
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.dev")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from coop import demo  # noqa: E402
from coop.models import User  # noqa: E402
from members.models import HouseholdMember, Member, Plot  # noqa: E402

warnings.filterwarnings("ignore", "No directory at")

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))


def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed_get(client, url):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_HOST="localhost")
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries)


def series(client, urls):
    timings, counts = [], set()
    for url in urls:
        elapsed, count = timed_get(client, url)
        timings.append(elapsed)
        counts.add(count)
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "queries": sorted(counts),
    }


def main():
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo.seed(members=MEMBERS, seed=2026)
    seeding = time.perf_counter() - started
    apoq = demo.Cooperative.objects.get(short_name="APOQ")
    rows = {
        "members": Member.objects.filter(cooperative=apoq).count(),
        "household": HouseholdMember.objects.filter(cooperative=apoq).count(),
        "plots": Plot.objects.filter(cooperative=apoq).count(),
    }
    client = Client()
    client.force_login(User.objects.get(username="apoq.contador"))
    rng = random.Random(1)
    pages = Member.objects.filter(cooperative=apoq).count() // 50
    timed_get(client, "/members/")  # warm caches and connections
    member_ids = list(Member.objects.filter(cooperative=apoq).values_list("pk", flat=True))

    results = {
        "members_seeded": rows,
        "seed_seconds": round(seeding, 1),
        "member_list": series(client, [f"/members/?page={rng.randint(1, pages)}" for _ in range(REQUESTS)]),
        "member_list_search": series(client, [f"/members/?q={rng.choice(demo.SURNAMES)}" for _ in range(REQUESTS)]),
        "member_page": series(client, [f"/members/{rng.choice(member_ids)}/" for _ in range(REQUESTS)]),
        "api_member_list": series(client, [f"/api/v1/members/?page={rng.randint(1, pages)}" for _ in range(REQUESTS)]),
        "queries_by_page_size": {
            size: timed_get(client, f"/members/?per_page={size}&page=3")[1] for size in (25, 50, 100)
        },
    }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "members.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

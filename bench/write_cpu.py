"""Do writes stay flat as the tables grow? CPU per write request on a small and on the large database.

    .venv/bin/python bench/write_cpu.py \\
        --database small=postgres://postgres@127.0.0.1:5432/ot_write_small \\
        --database large=postgres://postgres@127.0.0.1:5432/ordertrail_scale [--requests 300] [--repeat 2]

For each database in turn (alternating, `--repeat` times), a fresh process sends `--requests` order
placements (`POST /api/v1/orders/`, a distinct product each) and as many signed `order.created` webhooks
through Django's test client: the whole request (middleware, DRF, services, the outbox rows and their tasks,
published to BENCH_BROKER_URL, default redis://127.0.0.1:6379/9, which is flushed). It measures the
process's own CPU (thread time: no load generator, no network in between) and its PostgreSQL backend's
CPU (/proc), which hold steady on a shared machine where req/s does not. The small database is migrated
when it is empty. Writes bench/results/write-cpu.json: per database and run, app and db milliseconds per
request, and the large database's cost against the small one's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import PYTHON, ROOT, bench_env, manage, write_report  # noqa: E402

WARM_UP = 20


def measure(requests: int) -> dict:
    """In this process, on DATABASE_URL: CPU per placement and per `order.created` webhook."""
    import django

    django.setup()
    import logging

    from django.db import connection
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import AccountType, User
    from bench import webhooks as webhooks_bench
    from bench.harness import _proc_stat, approved_merchant
    from catalog.models import Product

    logging.disable(logging.CRITICAL)
    run = uuid.uuid4().hex[:8]
    total = requests + WARM_UP
    merchant = approved_merchant(run=run)
    products = Product.objects.bulk_create(
        Product(merchant=merchant, sku=f"W-{run}-{i}", name=f"Write {i}", price="10.00", stock=10**6)
        for i in range(total)
    )
    customer = User.objects.create_user(
        email=f"write-{run}@example.com", password=None, account_type=AccountType.CUSTOMER
    )
    token = str(RefreshToken.for_user(customer).access_token)
    # The bench merchant with a signing secret, as bench/webhooks.py makes it.
    setup = json.loads(webhooks_bench._shell(webhooks_bench._SETUP, dict(os.environ)))
    deliveries = webhooks_bench._signed_deliveries(
        merchant_id=setup["merchant_id"], secret=setup["secret"], count=total, prefix=f"w{run}"
    )
    client = Client(HTTP_HOST="127.0.0.1")

    def place(i: int) -> None:
        body = {
            "items": [{"product": str(products[i].pk), "quantity": 1}],
            "phone_number": "+254712345678",
            "shipping_address": "Bench Road 1, Nairobi",
        }
        answer = client.post(
            "/api/v1/orders/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert answer.status_code == 201, answer.content[:300]

    def ingest(i: int) -> None:
        delivery = deliveries[i]
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in delivery.headers.items()
            if name != "Content-Type"
        }
        answer = client.post(delivery.path, delivery.body, content_type="application/json", **headers)
        assert answer.status_code == 201, answer.content[:300]

    def backend_cpu_seconds() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return _proc_stat(str(cursor.fetchone()[0]))[2]

    result = {}
    for name, write in (("order_place", place), ("webhook_order_created", ingest)):
        for i in range(WARM_UP):
            write(i)
        db_before, app_before = backend_cpu_seconds(), time.thread_time()
        for i in range(WARM_UP, total):
            write(i)
        app, db = time.thread_time() - app_before, backend_cpu_seconds() - db_before
        result[name] = {"app_ms": round(app * 1000 / requests, 2), "db_ms": round(db * 1000 / requests, 2)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", action="append", required=True, help="NAME=postgres://... (twice)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.requests)))
        return

    databases = dict(entry.split("=", 1) for entry in args.database)
    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/9")
    runs: dict[str, list] = {name: [] for name in databases}
    for _ in range(args.repeat):
        for name, url in databases.items():
            env = bench_env(DATABASE_URL=url, CELERY_BROKER_URL=broker, JWT_ACCESS_MINUTES="120")
            manage("migrate", "--noinput", "-v", "0", env=env)
            done = subprocess.run(
                [PYTHON, "bench/write_cpu.py", "--database", f"{name}={url}", "--requests", str(args.requests),
                 "--measure"],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            runs[name].append(
                {**json.loads(done.stdout.strip().splitlines()[-1]), "load_average": os.getloadavg()[0]}
            )
            subprocess.run(["redis-cli", "-u", broker, "flushdb"], check=False, capture_output=True)

    def median_total(name: str, endpoint: str) -> float:
        return statistics.median(run[endpoint]["app_ms"] + run[endpoint]["db_ms"] for run in runs[name])

    names = list(databases)
    report = {
        "setup": {
            "requests_per_endpoint_and_run": args.requests,
            "runs_per_database": args.repeat,
            "how": "in-process test client; app = thread CPU, db = its PostgreSQL backend's CPU",
        },
        "databases": {name: url.rsplit("/", 1)[-1] for name, url in databases.items()},
        "runs": runs,
        "median_cpu_ms": {
            name: {
                endpoint: round(median_total(name, endpoint), 2)
                for endpoint in runs[name][0]
                if endpoint != "load_average"
            }
            for name in names
        },
    }
    if len(names) == 2:
        small, large = names
        report[f"{large}_vs_{small}"] = {
            endpoint: round(median_total(large, endpoint) / median_total(small, endpoint), 2)
            for endpoint in ("order_place", "webhook_order_created")
        }
    write_report("write-cpu", report)


if __name__ == "__main__":
    main()

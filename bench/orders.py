"""Order placement throughput next to /healthz/, and an oversell run, on gunicorn + PostgreSQL.

    .venv/bin/python bench/orders.py       # BENCH_DATABASE_URL defaults to .../ot_orders_bench
    BENCH_PORT=8140 BENCH_REQUESTS=2000 .venv/bin/python bench/orders.py

Customers place orders through the real API with their own JWTs, each request buying a distinct product
with ample stock (so the run measures the placement path, not one hot row). The oversell run then sends
200 simultaneous buyers at one product with stock 50. No CELERY_BROKER_URL is set: notification tasks
run eagerly in-process after commit, as in `make run`; with BENCH_BROKER_URL=redis://... they are only
published, as in production (flush that Redis database afterwards); the report counts the tasks published.
Writes bench/results/orders.json (orders-broker.json with a broker).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    Request,
    Server,
    approved_merchant,
    bench_env,
    django_ready,
    load,
    manage,
    write_report,
)

PORT = int(os.environ.get("BENCH_PORT", "8140"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CUSTOMERS = 50
OVERSELL_BUYERS, OVERSELL_STOCK = 200, 50
GOAL_RATIO = 0.2  # issue 5: placement at least 20 % of /healthz/ req/s
# Unset: notification tasks run eagerly in the request after commit (as `make run` does).
# Set (e.g. redis://127.0.0.1:6379/4): they are published to that broker, as in production.
BROKER = os.environ.get("BENCH_BROKER_URL", "")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ot_orders_bench"


def environment() -> dict[str, str]:
    env = bench_env(DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    env.pop("CELERY_BROKER_URL", None)
    if BROKER:  # tasks are only published (nobody consumes them during the run)
        env["CELERY_BROKER_URL"] = BROKER
    env["JWT_ACCESS_MINUTES"] = "120"  # tokens minted before the run must outlive it
    return env


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0]
    exists = subprocess.run(
        ["psql", f"{base}/postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", f"{base}/postgres", "-c", f'CREATE DATABASE "{name}"'], check=True)


def seed(env: dict[str, str]) -> dict:
    """Create a merchant, products and customers in the bench database; return ids and tokens."""
    django_ready(env)
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import AccountType, User
    from catalog.models import Product

    run = uuid.uuid4().hex[:8]
    merchant = approved_merchant(run=run)
    products = Product.objects.bulk_create(
        [
            Product(
                merchant=merchant, sku=f"B-{run}-{i}", name=f"Bench item {i}", price="10.00", stock=1_000_000
            )
            for i in range(REQUESTS)
        ]
    )
    scarce = Product.objects.create(
        merchant=merchant, sku=f"B-{run}-scarce", name="Scarce item", price="10.00", stock=OVERSELL_STOCK
    )
    customers = [
        User.objects.create_user(
            email=f"bench-{run}-{i}@example.com", password=None, account_type=AccountType.CUSTOMER
        )
        for i in range(max(CUSTOMERS, OVERSELL_BUYERS))
    ]
    return {
        "products": [str(p.pk) for p in products],
        "scarce": str(scarce.pk),
        "tokens": [str(RefreshToken.for_user(c).access_token) for c in customers],
    }


def order_request(product_id: str, token: str) -> Request:
    body = {
        "items": [{"product": product_id, "quantity": 1}],
        "phone_number": "+254712345678",
        "shipping_address": "Bench Road 1, Nairobi",
    }
    return Request(
        "POST",
        "/api/v1/orders/",
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )


def main() -> None:
    env = environment()
    ensure_database(env["DATABASE_URL"])
    manage("migrate", "--noinput", "-v", "0", env=env)
    data = seed(env)
    tokens, products = data["tokens"], data["products"]

    from catalog.models import Product
    from notifications.models import Notification
    from orders.models import Order

    def queued(queue: str) -> int:
        import redis

        return redis.Redis.from_url(BROKER).llen(queue)

    rows_before = Notification.objects.count()
    queued_before = {queue: queued(queue) for queue in ("sms", "email")} if BROKER else {}

    with Server(port=PORT, workers=WORKERS, env=env):
        # Warm-up: every worker loads its code paths before anything is measured.
        load("warmup", port=PORT, requests=lambda i: Request("GET", "/healthz/"), total=200, concurrency=8)
        # Alternate healthz and placement in rounds, so a noisy neighbour on the box skews both alike.
        rounds = []
        per_round = REQUESTS // ROUNDS
        for r in range(ROUNDS):
            healthz = load(
                f"healthz#{r + 1}",
                port=PORT,
                requests=lambda i: Request("GET", "/healthz/"),
                total=per_round,
                concurrency=CONCURRENCY,
            )
            placement = load(
                f"order_place#{r + 1}",
                port=PORT,
                requests=lambda i, r=r: order_request(products[r * per_round + i], tokens[i % CUSTOMERS]),
                total=per_round,
                concurrency=CONCURRENCY,
            )
            rounds.append(
                {"healthz": healthz, "order_place": placement, "ratio": placement.ratio_to(healthz)}
            )
        oversell = load(
            "oversell",
            port=PORT,
            requests=lambda i: order_request(data["scarce"], tokens[i]),
            total=OVERSELL_BUYERS,
            concurrency=OVERSELL_BUYERS,
        )

    codes = oversell.status_counts
    published = None
    if BROKER:  # nobody consumes during the run: the queues grew by every task published
        published = {
            "notification_rows": Notification.objects.count() - rows_before,
            "tasks": {queue: queued(queue) - n for queue, n in queued_before.items()},
        }
    scarce = Product.objects.get(pk=data["scarce"])
    report = {
        "setup": {
            "server": f"gunicorn gthread, {WORKERS} workers x 4 threads",
            "database": "PostgreSQL",
            "celery": f"published to {BROKER}" if BROKER else "no broker: eager in-process after commit",
            "requests": REQUESTS,
            "concurrency": CONCURRENCY,
            "rounds": ROUNDS,
        },
        "rounds": rounds,
        "healthz_rps": [r["healthz"].rps for r in rounds],
        "order_place_rps": [r["order_place"].rps for r in rounds],
        "order_place_to_healthz_ratio": statistics.median(r["ratio"] for r in rounds),
        "order_place_status_counts": dict(
            sum((Counter(r["order_place"].status_counts) for r in rounds), Counter())
        ),
        "goal_ratio": GOAL_RATIO,
        "published": published,
        "oversell": {
            "buyers": OVERSELL_BUYERS,
            "stock": OVERSELL_STOCK,
            "accepted": codes.get("201", 0),
            "insufficient_stock_409": codes.get("409", 0),
            "server_errors_5xx": sum(n for code, n in codes.items() if code.startswith("5")),
            "other": {c: n for c, n in codes.items() if c not in ("201", "409") and not c.startswith("5")},
            "stock_left": scarce.stock,
            "orders_for_scarce_item": Order.objects.filter(items__product=scarce).count(),
            "load": oversell,
        },
    }
    write_report("orders-broker" if BROKER else "orders", report)


if __name__ == "__main__":
    main()

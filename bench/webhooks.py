"""Benchmark: signed `order.created` webhooks against `/healthz/`, same gunicorn, same run.

N distinct deliveries (distinct webhook-id and external_id) are signed up front, so the load generator
only sends bytes; C keep-alive clients post them to gunicorn on PostgreSQL. Goal: the webhook endpoint
reaches at least 25 % of the req/s of `/healthz/` (a no-op view, the floor no endpoint can beat), with
0 non-2xx answers. The webhook throttle is raised for the run (THROTTLE_WEBHOOK).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ot_webhooks_bench \\
        .venv/bin/python -m bench.webhooks --requests 3000 --concurrency 16 --port 8150

Like the other benchmarks it also takes BENCH_REQUESTS, BENCH_CONCURRENCY, BENCH_PORT and BENCH_WORKERS from the
environment (the flags win), and BENCH_DATABASE_URL (else DATABASE_URL).

Celery: with BENCH_BROKER_URL=redis://... (the production shape) the notification tasks are only published
to that broker (nobody consumes them during the run; flush that Redis database afterwards); without it they
run eagerly in the request after commit, as in `make run`. The report's "celery" says which.

Writes bench/results/webhooks.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlparse

from bench.harness import PYTHON, ROOT, Request, Result, Server, bench_env, load, manage, write_report
from webhooks.signatures import signature_sign

GOAL_RATIO = 0.25
# Creates (or reuses) an approved merchant with a secret and prints {"merchant_id", "secret"}.
_SETUP = """
import json
from accounts.models import User
from merchants.models import Merchant, WebhookSecret
from merchants.selectors import merchant_webhook_secrets_valid
from merchants.signing_secrets import webhook_secret_value_new
user = User.objects.filter(email="bench-webhooks@example.com").first() or User.objects.create_user(
    "bench-webhooks@example.com", None, account_type="merchant", is_email_verified=True
)
merchant, _ = Merchant.objects.get_or_create(
    user=user, defaults={"company_name": "Bench Webhooks Ltd", "kyc_status": "approved", "is_active": True}
)
secret = merchant_webhook_secrets_valid(merchant=merchant).first() or WebhookSecret.objects.create(
    merchant=merchant, secret=webhook_secret_value_new()
)
print(json.dumps({"merchant_id": str(merchant.pk), "secret": secret.secret}))
"""
_COUNT = """
from orders.models import Order
print(Order.objects.filter(external_id__startswith="{prefix}").count())
"""


def _shell(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _ensure_database(url: str) -> None:
    """Create the bench database when it does not exist yet (PostgreSQL only)."""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return
    import psycopg

    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _signed_deliveries(*, merchant_id: str, secret: str, count: int, prefix: str) -> list[Request]:
    path = f"/api/v1/webhooks/{merchant_id}/"
    timestamp = str(int(time.time()))
    sent_at = datetime.now(UTC).isoformat()
    requests = []
    for n in range(count):
        body = json.dumps(
            {
                "type": "order.created",
                "timestamp": sent_at,
                "data": {
                    "external_id": f"{prefix}-{n}",
                    "customer": {"name": "Bench Customer", "phone": "+254712345678"},
                    "shipping_address": "Moi Avenue 12, Nairobi",
                    "items": [
                        {"sku": "TEE-M", "name": "T-shirt M", "quantity": 2, "unit_price": "750.00"},
                        {"name": "Gift wrap", "quantity": 1, "unit_price": "100.00"},
                    ],
                },
            }
        ).encode()
        msg_id = f"msg_{prefix}_{n}"
        headers = {
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature_sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body),
        }
        requests.append(Request("POST", path, body=body, headers=headers))
    return requests


def _healthz(args) -> Result:
    return load(
        "healthz",
        port=args.port,
        requests=lambda i: Request("GET", "/healthz/"),
        total=args.requests,
        concurrency=args.concurrency,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "3000")))
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", "16")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8150")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    args = parser.parse_args()

    env = bench_env(THROTTLE_WEBHOOK="100000000/min")
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    broker = os.environ.get("BENCH_BROKER_URL", "")
    env.pop("CELERY_BROKER_URL", None)
    if broker:
        env["CELERY_BROKER_URL"] = broker
    _ensure_database(env["DATABASE_URL"])
    manage("migrate", "--noinput", "-v", "0", env=env)
    merchant = json.loads(_shell(_SETUP, env))
    prefix = f"BENCH-{uuid.uuid4().hex[:8]}"
    # Signed up front: the load generator measures the server, not our HMAC. The timestamps stay
    # inside the 5-minute tolerance as long as the run is shorter than that.
    deliveries = _signed_deliveries(
        merchant_id=merchant["merchant_id"], secret=merchant["secret"], count=args.requests, prefix=prefix
    )
    warmup = _signed_deliveries(
        merchant_id=merchant["merchant_id"], secret=merchant["secret"], count=50, prefix=f"{prefix}-warm"
    )

    with Server(port=args.port, workers=args.workers, env=env):
        load(
            "warmup-healthz",
            port=args.port,
            requests=lambda i: Request("GET", "/healthz/"),
            total=200,
            concurrency=4,
        )
        load("warmup-webhooks", port=args.port, requests=warmup, total=len(warmup), concurrency=4)
        healthz = _healthz(args)
        webhooks = load(
            "webhooks_order_created",
            port=args.port,
            requests=deliveries,
            total=len(deliveries),
            concurrency=args.concurrency,
        )
        healthz_after = _healthz(args)

    created = int(_shell(_COUNT.format(prefix=f"{prefix}-"), env)) - len(warmup)
    non_2xx = sum(count for status, count in webhooks.status_counts.items() if not status.startswith("2"))
    # The box is shared: /healthz/ is measured before and after the webhooks and the ratio taken to their
    # mean, so a neighbour's load that comes or goes during the run does not decide the verdict alone.
    healthz_rps = (healthz.rps + healthz_after.rps) / 2
    ratio = round(webhooks.rps / healthz_rps, 3) if healthz_rps else 0.0
    report = {
        "benchmark": "webhooks",
        "database": urlparse(env["DATABASE_URL"]).scheme,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "gunicorn_workers": args.workers,
        "celery": f"published to {broker}" if broker else "no broker: eager in-process after commit",
        "healthz_before": healthz,
        "webhooks": webhooks,
        "healthz_after": healthz_after,
        "orders_created": created,
        "non_2xx": non_2xx,
        "ratio_to_healthz": ratio,
        "goal_ratio": GOAL_RATIO,
        "goal_met": ratio >= GOAL_RATIO and non_2xx == 0 and created == args.requests,
    }
    write_report("webhooks", report)
    return 0 if report["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""The floor under the goals: what the stack costs before an endpoint does any work, in one run.

    .venv/bin/python bench/floor.py     # BENCH_DATABASE_URL defaults to .../ot_orders_bench

One gunicorn (the same shape as the other benchmarks) on PostgreSQL serves, in alternating rounds, each
with the ratio of its req/s to `/healthz/` of the same round:
  - `drf_noop`: a DRF POST that parses its JSON body and answers 201 (no auth, no database);
  - `drf_authenticated`: the same behind our Bearer authentication (JWT checked, user row loaded);
  - `drf_authenticated_transaction`: plus one transaction running `SELECT 1`;
  - `drf_insert`: no auth, one transaction inserting one row (the least a webhook delivery costs);
  - `order_place`: `POST /api/v1/orders/` as in bench/orders.py (distinct products, ample stock);
  - `webhook_order_created`: signed `order.created` deliveries as in bench/webhooks.py.
The reference views live in bench/reference/ and are mounted only by this benchmark's settings.
Each endpoint also gets the server's CPU milliseconds per request, gunicorn (app) and PostgreSQL apart, read
from /proc: steadier than req/s when the machine is shared. The load generator's own CPU is not in them.
Tasks are published to BENCH_BROKER_URL when set (as in production), else run eagerly after commit.
Writes bench/results/floor.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import orders as orders_bench  # noqa: E402
from bench import webhooks as webhooks_bench  # noqa: E402
from bench.harness import Request, Server, load, manage, server_cpu_seconds, write_report  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8160"))
PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "1500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
# The same server shape and load as bench/orders.py (BENCH_CONCURRENCY, BENCH_WORKERS).
CONCURRENCY, WORKERS = orders_bench.CONCURRENCY, orders_bench.WORKERS


def main() -> None:
    env = orders_bench.environment()
    env["DJANGO_SETTINGS_MODULE"] = "bench.reference.settings"
    env["THROTTLE_WEBHOOK"] = "100000000/min"
    orders_bench.ensure_database(env["DATABASE_URL"])
    manage("migrate", "--noinput", "-v", "0", env=env)
    orders_bench.REQUESTS = PER_ROUND * ROUNDS  # products to seed: one per placement
    data = orders_bench.seed(env)
    merchant = json.loads(webhooks_bench._shell(webhooks_bench._SETUP, env))
    prefix = f"FLOOR-{uuid.uuid4().hex[:8]}"
    deliveries = webhooks_bench._signed_deliveries(
        merchant_id=merchant["merchant_id"],
        secret=merchant["secret"],
        count=PER_ROUND * ROUNDS,
        prefix=prefix,
    )
    token = data["tokens"][0]
    body = json.dumps({"items": [{"product": data["products"][0], "quantity": 1}]}).encode()

    def reference(path: str, authenticated: bool):
        headers = {"Content-Type": "application/json"}
        if authenticated:
            headers["Authorization"] = f"Bearer {token}"
        return lambda i: Request("POST", path, body=body, headers=headers)

    endpoints = {
        "drf_noop": lambda r: reference("/floor/drf-noop/", False),
        "drf_authenticated": lambda r: reference("/floor/drf-authenticated/", True),
        "drf_authenticated_transaction": lambda r: reference("/floor/drf-authenticated-transaction/", True),
        "drf_insert": lambda r: reference("/floor/drf-insert/", False),
        "order_place": lambda r: (
            lambda i: orders_bench.order_request(
                data["products"][r * PER_ROUND + i], data["tokens"][i % orders_bench.CUSTOMERS]
            )
        ),
        "webhook_order_created": lambda r: lambda i: deliveries[r * PER_ROUND + i],
    }
    rounds, cpu = [], {}

    def measured(server: Server, name: str, requests, total: int):
        """Load one endpoint; also keep the server's CPU milliseconds per request (app and PostgreSQL)."""
        before = server_cpu_seconds(server)
        result = load(name, port=PORT, requests=requests, total=total, concurrency=CONCURRENCY)
        after = server_cpu_seconds(server)
        if before and after:
            cpu.setdefault(name, []).append(
                {part: round((after[part] - before[part]) * 1000 / total, 3) for part in before}
            )
        return result

    with Server(port=PORT, workers=WORKERS, env=env) as server:
        load("warmup", port=PORT, requests=lambda i: Request("GET", "/healthz/"), total=300, concurrency=8)
        for r in range(ROUNDS):
            results = {
                "healthz": measured(
                    server, "healthz", lambda i: Request("GET", "/healthz/"), total=PER_ROUND * 2
                )
            }
            for name, requests in endpoints.items():
                results[name] = measured(server, name, requests(r), total=PER_ROUND)
            rounds.append(results)

    summary = {}
    for name in endpoints:
        ratios = [round(res[name].rps / res["healthz"].rps, 3) for res in rounds]
        summary[name] = {
            "rps": [res[name].rps for res in rounds],
            "ratio_to_healthz": ratios,
            "median_ratio": statistics.median(ratios),
            # Steadier than req/s on a shared machine: what one request costs the server, per round.
            "cpu_ms_per_request": cpu.get(name, []),
            "non_2xx": sum(
                n for res in rounds for code, n in res[name].status_counts.items() if not code.startswith("2")
            ),
        }
    report = {
        "setup": {
            "server": f"gunicorn gthread, {WORKERS} workers x {os.environ.get('BENCH_THREADS', '4')} threads",
            "database": "PostgreSQL",
            "celery": f"published to {orders_bench.BROKER}" if orders_bench.BROKER else "eager after commit",
            "requests_per_endpoint_and_round": PER_ROUND,
            "concurrency": CONCURRENCY,
            "rounds": ROUNDS,
        },
        "healthz_rps": [res["healthz"].rps for res in rounds],
        "healthz_cpu_ms_per_request": cpu.get("healthz", []),
        "endpoints": summary,
        "goals": {"order_place": orders_bench.GOAL_RATIO, "webhook_order_created": webhooks_bench.GOAL_RATIO},
        "rounds": rounds,
    }
    write_report("floor", report)


if __name__ == "__main__":
    main()

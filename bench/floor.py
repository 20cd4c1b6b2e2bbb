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
Each endpoint also gets the server's CPU milliseconds per request, gunicorn (app) and the bench database's
PostgreSQL backends (db) apart, read from /proc: steadier than req/s when the machine is shared (other
databases on the same server are not counted). The load generator's own CPU is not in them.
Tasks are published to BENCH_BROKER_URL when set (as in production), else run eagerly after commit.
Writes bench/results/floor.json, and bench/results/writes.json with issue 18's write goals: placement at most
3x `drf_authenticated_transaction` and `order.created` at most 3x `drf_insert` in server CPU per request.
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
from bench.harness import (  # noqa: E402
    Request,
    Server,
    database_backends_cpu_seconds,
    load,
    manage,
    server_cpu_seconds,
    write_report,
)

PORT = int(os.environ.get("BENCH_PORT", "8160"))
PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "1500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
# The same server shape and load as bench/orders.py (BENCH_CONCURRENCY, BENCH_WORKERS).
CONCURRENCY, WORKERS = orders_bench.CONCURRENCY, orders_bench.WORKERS
# Issue 18: each write endpoint against its floor, in server CPU (app + db) per request, same run.
WRITE_GOALS = {
    "order_place": ("drf_authenticated_transaction", 3.0),
    "webhook_order_created": ("drf_insert", 3.0),
}


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
        before, db_before = server_cpu_seconds(server), database_backends_cpu_seconds()
        load_before = os.getloadavg()[0]
        result = load(name, port=PORT, requests=requests, total=total, concurrency=CONCURRENCY)
        after, db_after = server_cpu_seconds(server), database_backends_cpu_seconds()
        if before and after:
            app = (after["app"] - before["app"]) * 1000 / total
            db = sum(seconds - db_before.get(pid, 0.0) for pid, seconds in db_after.items()) * 1000 / total
            cpu.setdefault(name, []).append(
                {
                    "app": round(app, 3),
                    "db": round(db, 3),
                    "total": round(app + db, 3),
                    "load_average": round((load_before + os.getloadavg()[0]) / 2, 1),
                }
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
    write_report("writes", write_goals(cpu, setup=report["setup"]))


def write_goals(cpu: dict, *, setup: dict) -> dict:
    """Each write endpoint's CPU per request over its floor's, round by round (the same server, minutes
    apart), and the median of those ratios against the goal."""
    goals = {}
    for name, (floor, goal) in WRITE_GOALS.items():
        if not cpu.get(name) or not cpu.get(floor):
            continue
        ratios = [round(w["total"] / f["total"], 2) for w, f in zip(cpu[name], cpu[floor], strict=True)]
        ratio = statistics.median(ratios)
        goals[name] = {
            "floor": floor,
            "goal_ratio": goal,
            "cpu_ms_per_request": [w["total"] for w in cpu[name]],
            "floor_cpu_ms_per_request": [f["total"] for f in cpu[floor]],
            "app_db_ms": [[w["app"], w["db"]] for w in cpu[name]],
            "floor_app_db_ms": [[f["app"], f["db"]] for f in cpu[floor]],
            "ratio_per_round": ratios,
            "median_ratio": ratio,
            "load_average": [w["load_average"] for w in cpu[name]],
            "goal_met": ratio <= goal,
        }
    return {"setup": setup, "goals": goals}


if __name__ == "__main__":
    main()

"""Reads at a real platform's size: every read goal of issue 18 on gunicorn + PostgreSQL over `seed_scale` data.

    .venv/bin/python bench/scale.py                       # BENCH_DATABASE_URL defaults to .../ordertrail_scale_medium
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ordertrail_scale .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --seed medium --only merchant_orders,django_admin_orders

`--seed medium|large` creates the database, migrates and runs `seed_scale` when it holds no orders; without
it the database must have been seeded. `migrate` always runs first and its duration is reported (new
indexes land on the big tables then).

For every endpoint (public catalog and tracking, a customer's and the biggest merchant's orders, the admin
API, the Django admin changelists with a session):
  1. one in-process request (Django's test client on the same database) under `bench.plans.QueryPlans`:
     the queries it issues, EXPLAIN ANALYZE of each, and any sequential scan of a table over 10,000 rows;
  2. on gunicorn (BENCH_WORKERS x 4 threads): p50/p95/p99 over BENCH_REQUESTS requests from one client;
  3. req/s over BENCH_RPS_REQUESTS requests from 16 keep-alive connections.
Writes bench/results/scale-medium.json or scale-large.json (by the orders found) with a goal-by-goal summary.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import orders as orders_bench  # noqa: E402
from bench.harness import (  # noqa: E402
    Request,
    Server,
    bench_env,
    database_backends_cpu_seconds,
    load,
    manage,
    server_cpu_seconds,
    write_report,
)

PORT = int(os.environ.get("BENCH_PORT", "8170"))
ONE_CLIENT_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
RPS_REQUESTS = int(os.environ.get("BENCH_RPS_REQUESTS", "160"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
PHASE_SECONDS = float(os.environ.get("BENCH_PHASE_SECONDS", "15"))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ordertrail_scale_medium"


@dataclass
class Endpoint:
    name: str
    group: str
    path: str
    goal_p95_ms: float | None
    headers: dict[str, str] = field(default_factory=dict)


def _qs(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def fixtures() -> dict:
    """Who and what the requests are about, read straight from the database (not through the server)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, F
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    from catalog.models import Category, Product
    from orders.models import Order

    User = get_user_model()
    busiest = Order.objects.order_by().values("merchant").annotate(n=Count("id")).order_by("-n").first()
    loyal = (
        Order.objects.filter(customer__isnull=False)
        .order_by()
        .values("customer")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    merchant_orders = Order.objects.filter(merchant_id=busiest["merchant"])
    newest = merchant_orders.order_by("-created_at").first()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("date_joined").first()
    merchant_user = User.objects.get(merchant__id=busiest["merchant"])
    customer = User.objects.get(pk=loyal["customer"])
    big_root = Category.objects.filter(level=0).order_by(F("lft") - F("rght")).first()
    mid_category = Category.objects.filter(level=2).order_by(F("lft") - F("rght")).first()
    session = Client()
    session.force_login(admin)

    def bearer(user) -> dict[str, str]:
        return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}

    return {
        "merchant_id": str(busiest["merchant"]),
        "merchant_orders": busiest["n"],
        "customer_orders": loyal["n"],
        "merchant": bearer(merchant_user),
        "customer": bearer(customer),
        "admin": bearer(admin),
        "session": {"Cookie": f"sessionid={session.cookies['sessionid'].value}"},
        "merchant_order": str(newest.pk),
        "customer_order": str(Order.objects.filter(customer=customer).order_by("-created_at").first().pk),
        "tracking_code": newest.tracking_code,
        "order_number": newest.order_number,
        "product": str(Product.objects.filter(is_active=True).order_by("-created_at").first().pk),
        "product_word": Product.objects.filter(is_active=True)
        .order_by("-created_at")
        .first()
        .name.split()[0],
        "big_root": str(big_root.pk),
        "mid_category": str(mid_category.pk),
        "since": (newest.created_at - timedelta(days=30)).isoformat(),
        "until": (newest.created_at - timedelta(days=2)).isoformat(),
        "customer_email": customer.email,
        "week_ago": str((newest.created_at - timedelta(days=7)).date()),
        "tomorrow": str((newest.created_at + timedelta(days=1)).date()),
    }


def endpoints(f: dict) -> list[Endpoint]:
    products, orders = "/api/v1/products/", "/api/v1/orders/"
    m, c, a, s = f["merchant"], f["customer"], f["admin"], f["session"]
    dates = {"created_after": f["since"], "created_before": f["until"]}
    return [
        # Public catalog and tracking.
        Endpoint("products", "public", products, 50),
        Endpoint("products_category_root", "public", _qs(products, category=f["big_root"]), 50),
        Endpoint("products_category_mid", "public", _qs(products, category=f["mid_category"]), 50),
        Endpoint("products_merchant", "public", _qs(products, merchant=f["merchant_id"]), 50),
        Endpoint("products_price_range", "public", _qs(products, min_price=1000, max_price=5000), 50),
        Endpoint("products_in_stock", "public", _qs(products, in_stock="true"), 50),
        Endpoint("products_out_of_stock", "public", _qs(products, in_stock="false"), 50),
        Endpoint("products_search", "public", _qs(products, search=f["product_word"]), 50),
        Endpoint("products_search_rare", "public", _qs(products, search="SC-0001234"), 50),
        Endpoint("products_ordering_price", "public", _qs(products, ordering="price"), 50),
        Endpoint("product_detail", "public", f"{products}{f['product']}/", 50),
        Endpoint("category_average_price_root", "public", f"/api/v1/categories/{f['big_root']}/average-price/", 50),
        Endpoint("average_prices_first_page", "public", "/api/v1/categories/average-prices/?page_size=100", 100),
        Endpoint("category_tree", "public", "/api/v1/categories/tree/", 150),
        Endpoint("tracking_api", "public", f"/api/v1/track/{f['tracking_code']}/", 20),
        Endpoint("tracking_page", "public", f"/track/{f['tracking_code']}/", 20),
        # A loyal customer and the busiest merchant.
        Endpoint("customer_orders", "customer", orders, 50, c),
        Endpoint("customer_order_detail", "customer", f"{orders}{f['customer_order']}/", 50, c),
        Endpoint("merchant_orders", "merchant", orders, 50, m),
        Endpoint("merchant_orders_page_1000", "merchant", _qs(orders, page=1000), 50, m),
        Endpoint("merchant_orders_status", "merchant", _qs(orders, status="delivered"), 50, m),
        Endpoint("merchant_orders_status_page_1000", "merchant", _qs(orders, status="delivered", page=1000), 50, m),
        Endpoint("merchant_orders_dates", "merchant", _qs(orders, **dates), 50, m),
        Endpoint("merchant_orders_status_dates", "merchant", _qs(orders, status="cancelled", **dates), 50, m),
        Endpoint("merchant_order_detail", "merchant", f"{orders}{f['merchant_order']}/", 50, m),
        Endpoint("merchant_order_tracking", "merchant", f"{orders}{f['merchant_order']}/tracking/", 50, m),
        Endpoint("merchant_webhook_deliveries", "merchant", "/api/v1/merchants/me/webhook-deliveries/", None, m),
        # The admin API.
        Endpoint("admin_dashboard", "admin", "/api/v1/admin/dashboard/", 200, a),
        Endpoint("admin_orders", "admin", orders, None, a),
        Endpoint("admin_orders_status", "admin", _qs(orders, status="out_for_delivery"), None, a),
        Endpoint("admin_notifications_failed", "admin", "/api/v1/admin/notifications/?status=failed", None, a),
        Endpoint("admin_customers", "admin", "/api/v1/admin/customers/", None, a),
        Endpoint("admin_customers_search", "admin", _qs("/api/v1/admin/customers/", search=f["customer_email"]), None, a),
        # The Django admin, signed in with a session.
        Endpoint("django_admin_dashboard", "django_admin", "/admin/dashboard/", None, s),
        Endpoint("django_admin_orders", "django_admin", "/admin/orders/order/", 500, s),
        Endpoint("django_admin_orders_status", "django_admin", "/admin/orders/order/?status__exact=shipped", 500, s),
        Endpoint("django_admin_orders_merchant", "django_admin", f"/admin/orders/order/?merchant__id__exact={f['merchant_id']}", 500, s),
        Endpoint("django_admin_orders_last_week", "django_admin", _qs("/admin/orders/order/", created_at__gte=f["week_ago"], created_at__lt=f["tomorrow"]), 500, s),
        Endpoint("django_admin_orders_search", "django_admin", _qs("/admin/orders/order/", q=f["order_number"]), 500, s),
        Endpoint("django_admin_notifications", "django_admin", "/admin/notifications/notification/", 500, s),
        Endpoint("django_admin_notifications_failed", "django_admin", "/admin/notifications/notification/?status__exact=failed", 500, s),
        Endpoint("django_admin_notifications_template", "django_admin", "/admin/notifications/notification/?template=otp", 500, s),
        Endpoint("django_admin_notifications_search", "django_admin", _qs("/admin/notifications/notification/", q=f["order_number"]), 500, s),
        Endpoint("django_admin_deliveries", "django_admin", "/admin/webhooks/webhookdelivery/", 500, s),
        Endpoint("django_admin_deliveries_refused", "django_admin", "/admin/webhooks/webhookdelivery/?status_code=401", 500, s),
        Endpoint("django_admin_deliveries_event", "django_admin", "/admin/webhooks/webhookdelivery/?event_type=order.cancelled", 500, s),
        Endpoint("django_admin_deliveries_search", "django_admin", _qs("/admin/webhooks/webhookdelivery/", q=f["order_number"]), 500, s),
        Endpoint("django_admin_products", "django_admin", "/admin/catalog/product/", 500, s),
        Endpoint("django_admin_products_inactive", "django_admin", "/admin/catalog/product/?is_active__exact=0", 500, s),
        Endpoint("django_admin_products_search", "django_admin", _qs("/admin/catalog/product/", q=f["product_word"]), 500, s),
        Endpoint("django_admin_customers", "django_admin", "/admin/accounts/user/?account_type__exact=customer", 500, s),
        Endpoint("django_admin_customers_search", "django_admin", _qs("/admin/accounts/user/", q=f["customer_email"]), 500, s),
    ]  # fmt: skip


def explain(endpoint: Endpoint) -> dict:
    """One in-process request under QueryPlans: its status, query count and plans."""
    from django.test import Client

    from bench.plans import QueryPlans

    headers = dict(endpoint.headers)
    client = Client()
    if "Cookie" in headers:
        client.cookies.load(headers.pop("Cookie"))
    with QueryPlans() as plans:
        response = client.get(endpoint.path, headers=headers)
    return {"status": response.status_code, **plans.summary()}


def measure(server: Server, endpoint: Endpoint) -> dict:
    """Warm up, then one client (latencies and CPU per request), then 16 connections (req/s).

    Fewer requests for slow endpoints, so each phase stays near PHASE_SECONDS. CPU per request is the
    gunicorn tree's plus the bench database's backends' (parallel query workers are not counted): what a
    request costs whatever the neighbours do, so a shared machine's latencies can be read against it.
    """
    request = Request("GET", endpoint.path, headers=endpoint.headers)
    same = lambda i: request  # noqa: E731
    warm = load("warmup", port=PORT, requests=same, total=WORKERS * 4, concurrency=1)
    seconds = max(warm.p50_ms, 1) / 1000
    one_total = max(15, min(ONE_CLIENT_REQUESTS, int(PHASE_SECONDS / seconds)))
    app_before, db_before = server_cpu_seconds(server), database_backends_cpu_seconds()
    load_before = os.getloadavg()[0]
    one = load(endpoint.name, port=PORT, requests=same, total=one_total, concurrency=1)
    app_after, db_after = server_cpu_seconds(server), database_backends_cpu_seconds()
    db = sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items())
    app = (app_after["app"] - app_before["app"]) if app_before and app_after else 0.0
    many_total = max(CONCURRENCY * 2, min(RPS_REQUESTS, int(PHASE_SECONDS * WORKERS / seconds)))
    many = load(endpoint.name, port=PORT, requests=same, total=many_total, concurrency=CONCURRENCY)
    return {
        "one_client": one,
        "concurrent": many,
        "cpu_ms_per_request": {
            "app": round(app * 1000 / one_total, 2),
            "db": round(db * 1000 / one_total, 2),
        },
        "load_average": round((load_before + os.getloadavg()[0]) / 2, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seed", choices=["medium", "large"], help="seed an empty database at this scale first"
    )
    parser.add_argument("--only", help="comma-separated endpoint names (default: all)")
    parser.add_argument("--no-load", action="store_true", help="query counts and plans only, no gunicorn")
    args = parser.parse_args()

    env = bench_env(DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    env.pop("CELERY_BROKER_URL", None)
    env["JWT_ACCESS_MINUTES"] = "240"  # tokens minted before the run must outlive it
    orders_bench.ensure_database(env["DATABASE_URL"])
    started = time.monotonic()
    manage("migrate", "--noinput", "-v", "0", env=env)
    migrate_seconds = round(time.monotonic() - started, 1)
    os.environ.update(env)
    import django

    django.setup()
    from bench.plans import table_rows
    from orders.models import Order

    if not Order.objects.exists():
        if not args.seed:
            raise SystemExit("The bench database holds no orders: run with --seed medium (or large).")
        manage("seed_scale", "--scale", args.seed, env=env)
    rows = table_rows()
    f = fixtures()
    chosen = endpoints(f)
    if args.only:
        wanted = set(args.only.split(","))
        chosen = [e for e in chosen if e.name in wanted]

    plans = {}
    for endpoint in chosen:
        explain(endpoint)  # the first request warms this process's caches (the category tree, ...)
        plans[endpoint.name] = explain(endpoint)
        print(f"{endpoint.name}: {plans[endpoint.name]['status']}, {plans[endpoint.name]['queries']} queries")

    timings = {}
    if not args.no_load:
        with Server(port=PORT, workers=WORKERS, env=env) as server:
            load(
                "warmup", port=PORT, requests=lambda i: Request("GET", "/healthz/"), total=200, concurrency=8
            )
            for endpoint in [Endpoint("healthz", "floor", "/healthz/", None), *chosen]:
                timings[endpoint.name] = measure(server, endpoint)
                one, many = timings[endpoint.name]["one_client"], timings[endpoint.name]["concurrent"]
                print(
                    f"{endpoint.name}: p95 {one.p95_ms} ms (goal {endpoint.goal_p95_ms}), "
                    f"{timings[endpoint.name]['cpu_ms_per_request']} CPU ms, {many.rps} req/s"
                )

    summary = []
    for endpoint in chosen:
        plan, timing = plans[endpoint.name], timings.get(endpoint.name)
        row = {
            "endpoint": endpoint.name,
            "group": endpoint.group,
            "path": endpoint.path,
            "status": plan["status"],
            "queries": plan["queries"],
            "db_ms": plan["db_ms"],
            "db_buffers": plan["buffers"],
            "seq_scans_on_large_tables": sorted({s["table"] for s in plan["seq_scans_on_large_tables"]}),
            "goal_p95_ms": endpoint.goal_p95_ms,
        }
        if timing:
            one = timing["one_client"]
            row.update(
                p50_ms=one.p50_ms,
                p95_ms=one.p95_ms,
                p99_ms=one.p99_ms,
                rps_16=timing["concurrent"].rps,
                non_2xx=sum(n for code, n in one.status_counts.items() if not code.startswith("2"))
                + sum(
                    n for code, n in timing["concurrent"].status_counts.items() if not code.startswith("2")
                ),
                goal_met=None if endpoint.goal_p95_ms is None else one.p95_ms <= endpoint.goal_p95_ms,
                cpu_ms=timing["cpu_ms_per_request"],
                load_average=timing["load_average"],
            )
        summary.append(row)
    report = {
        "setup": {
            "server": f"gunicorn gthread, {WORKERS} workers x {os.environ.get('BENCH_THREADS', '4')} threads",
            "database": env["DATABASE_URL"].rsplit("/", 1)[1],
            "one_client_requests": ONE_CLIENT_REQUESTS,
            "concurrent_requests": RPS_REQUESTS,
            "concurrency": CONCURRENCY,
            "migrate_seconds": migrate_seconds,
        },
        "rows": {name: n for name, n in sorted(rows.items()) if n >= 1000},
        "fixtures": {k: v for k, v in f.items() if k not in {"merchant", "customer", "admin", "session"}},
        "healthz": timings.get("healthz"),
        "summary": summary,
        "plans": plans,
        "timings": timings,
    }
    write_report("scale-large" if rows.get("orders_order", 0) >= 500_000 else "scale-medium", report)
    print_table(summary, timings.get("healthz"))


def print_table(summary: list[dict], healthz: dict | None) -> None:
    if healthz:
        one = healthz["one_client"]
        print(
            f"\n/healthz/ in the same run: p50 {one.p50_ms} ms, p95 {one.p95_ms} ms "
            f"(load average {healthz['load_average']} on {os.cpu_count()} cores)"
        )
    print(
        "\n| endpoint | queries | p50 ms | p95 ms | p99 ms | req/s (16) | CPU ms app+db | goal p95 | met | seq scans |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in summary:
        met = {True: "yes", False: "**no**", None: "-"}[r.get("goal_met")]
        cpu = f"{r['cpu_ms']['app']}+{r['cpu_ms']['db']}" if r.get("cpu_ms") else "-"
        print(
            f"| {r['endpoint']} | {r['queries']} | {r.get('p50_ms', '-')} | {r.get('p95_ms', '-')} | "
            f"{r.get('p99_ms', '-')} | {r.get('rps_16', '-')} | "
            f"{cpu} | {r['goal_p95_ms'] or '-'} | {met} | "
            f"{', '.join(r['seq_scans_on_large_tables']) or '-'} |"
        )


if __name__ == "__main__":
    main()

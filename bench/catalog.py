"""Catalog benchmark: average prices and the category tree on a 10,000-category / 100,000-product catalog,
next to `/healthz/` in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ot_catalog_bench \\
        .venv/bin/python -m bench.catalog --seed --port 8130

`--seed` migrates and runs `seed_demo --categories 10000 --products 100000` (idempotent) first.
Writes bench/results/catalog.json.
"""

from __future__ import annotations

import argparse
import os
import random
import time

from bench.harness import Request, Server, bench_env, load, manage, write_report

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ot_catalog_bench"


def _category_ids(env: dict[str, str]) -> list[str]:
    """Read the category ids straight from the bench database (not through the server being measured)."""
    os.environ.update({k: v for k, v in env.items() if k in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}})
    import django

    django.setup()
    from catalog.models import Category

    return [str(pk) for pk in Category.objects.values_list("id", flat=True)]


def _cycle(requests: list[Request]):
    return lambda i: requests[i % len(requests)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", action="store_true", help="migrate and seed the bench database first")
    parser.add_argument("--categories", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every request count")
    args = parser.parse_args()

    env = bench_env(DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    if args.seed:
        manage("migrate", "--noinput", env=env)
        manage("seed_demo", "--categories", str(args.categories), "--products", str(args.products), env=env)
    category_ids = _category_ids(env)
    if not category_ids:
        raise SystemExit("The bench database has no categories: run with --seed.")
    pages = max(1, -(-len(category_ids) // 100))
    rng = random.Random(42)

    def n(count: int) -> int:
        return max(1, int(count * args.scale))

    def average_price(_: int) -> Request:
        return Request("GET", f"/api/v1/categories/{rng.choice(category_ids)}/average-price/")

    def average_prices(_: int) -> Request:
        return Request(
            "GET", f"/api/v1/categories/average-prices/?page_size=100&page={rng.randint(1, pages)}"
        )

    scenarios = [
        ("healthz", [Request("GET", "/healthz/")], n(3000)),
        ("average_price_random_category", average_price, n(1500)),
        ("average_prices_random_page_of_100", average_prices, n(400)),
        (
            "average_prices_first_page_of_100",
            [Request("GET", "/api/v1/categories/average-prices/?page_size=100")],
            n(200),
        ),
        ("category_tree", [Request("GET", "/api/v1/categories/tree/")], n(200)),
        ("healthz_again", [Request("GET", "/healthz/")], n(3000)),
    ]
    results = {}
    started = time.time()
    with Server(port=args.port, workers=args.workers, env=env):
        for name, requests, total in scenarios:
            source = requests if callable(requests) else _cycle(requests)
            load(
                f"{name}-warmup",
                port=args.port,
                requests=source,
                total=max(20, total // 20),
                concurrency=args.concurrency,
            )
            results[name] = load(
                name, port=args.port, requests=source, total=total, concurrency=args.concurrency
            )
            print(
                f"{name}: {results[name].rps} req/s, p50 {results[name].p50_ms} ms, p95 {results[name].p95_ms} ms"
            )

    baseline = results["healthz"]
    report = {
        "catalog": {"categories": len(category_ids), "products_seeded": args.products},
        "server": {"workers": args.workers, "threads": 4, "concurrency": args.concurrency},
        "seconds": round(time.time() - started, 1),
        "results": results,
        "ratio_to_healthz": {name: result.ratio_to(baseline) for name, result in results.items()},
        "p95_ms": {name: result.p95_ms for name, result in results.items()},
    }
    write_report("catalog", report)


if __name__ == "__main__":
    main()

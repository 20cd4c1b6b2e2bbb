"""Live tracking streams: how many one stream server holds, how fast a change reaches every watcher, what a
stream costs in memory, and whether the rest of the API still answers meanwhile.

    BENCH_REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/tracking.py
    BENCH_STREAMS=1000 BENCH_CHANGES=15 BENCH_DATABASE_URL=postgres://.../ot_tracking_bench ...

The deployed shape on one machine: one uvicorn process (config.asgi, as the `stream` service runs it) holds
the streams; a gunicorn (2 workers) serves the API through which a merchant changes orders; both share
PostgreSQL and Redis. One asyncio client opens BENCH_STREAMS Server-Sent Event streams (BENCH_PAGE_SHARE of
them as the tracking page opens them, with the rendered page event), then:
- spread: the streams watch BENCH_ORDERS orders; each change reaches that order's watchers;
- hot: every stream watches one order; each change reaches all of them at once.
Latency is counted from the moment the status change request is sent to gunicorn until a watcher has read
the event (so it includes the API call). Meanwhile a prober asks gunicorn's /healthz/ and public tracking
JSON and the stream server's /healthz/ every 100 ms. Memory per stream is the stream server's RSS growth
divided by the streams opened. Writes bench/results/tracking.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.orders import ensure_database  # noqa: E402

# BENCH_* from the environment: streams, orders in the spread scenario, changes per scenario, ports.
KNOBS = {"STREAMS": 1000, "ORDERS": 50, "CHANGES": 15, "STREAM_PORT": 8150, "API_PORT": 8151}
STREAMS, ORDERS, CHANGES, STREAM_PORT, API_PORT = (
    int(os.environ.get(f"BENCH_{k}", v)) for k, v in KNOBS.items()
)
PAGE_SHARE = float(os.environ.get("BENCH_PAGE_SHARE", "0.5"))  # streams opened as the page opens them
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ot_tracking_bench"
GOAL_SECONDS = 2.0  # issue 17: every watcher within 2 s
STATES: dict[int, str] = {}  # order index -> its status, across both scenarios
SPACING_SECONDS = 1.0  # between two changes


def environment() -> dict[str, str]:
    env = harness.bench_env(DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    env.pop("CELERY_BROKER_URL", None)  # notifications run eagerly (printed), nothing queues up in Redis
    env["TRACKING_STREAM_REDIS_URL"] = REDIS
    env["TRACKING_STREAM_CHANNEL"] = f"ordertrail:tracking:bench:{uuid.uuid4().hex[:8]}"
    env["JWT_ACCESS_MINUTES"] = "120"
    env["LOG_LEVEL"] = "WARNING"
    return env


def seed(env: dict[str, str]) -> dict:
    """A merchant, its product and ORDERS pending orders placed through the service; the merchant's token."""
    harness.django_ready(env)
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import AccountType, User
    from catalog.models import Product
    from orders.placement import order_place

    run = uuid.uuid4().hex[:8]
    merchant = harness.approved_merchant(run=run)
    product = Product.objects.create(
        merchant=merchant, sku=f"T-{run}", name="Bench kettle", price="10.00", stock=1_000_000
    )
    customer = User.objects.create_user(
        email=f"bench-tracking-{run}-c@example.com", password=None, account_type=AccountType.CUSTOMER
    )
    orders = [
        order_place(
            customer=customer,
            items=[{"product": product, "quantity": 1}],
            phone_number="+254712345678",
            shipping_address="Bench Road 1, Nairobi",
        )[0]
        for _ in range(ORDERS + 1)
    ]
    return {
        "orders": [(str(order.pk), order.tracking_code) for order in orders],
        "token": str(RefreshToken.for_user(merchant.user).access_token),
    }


class StreamServer:
    """`uvicorn config.asgi:application`, one process, as the `stream` service runs it."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> StreamServer:
        command = [harness.PYTHON, "-m", "uvicorn", "config.asgi:application", "--port", str(STREAM_PORT)]
        self.process = subprocess.Popen(
            [*command, "--no-access-log", "--log-level", "warning", "--timeout-graceful-shutdown", "2"],
            cwd=harness.ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{STREAM_PORT}/healthz/", timeout=2):
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("uvicorn did not come up")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0


class Watcher:
    """One SSE client: connects, then records when each new version of its order arrives."""

    def __init__(self, code: str, page: bool):
        self.code, self.page = code, page
        self.arrivals: dict[str, float] = {}  # status -> monotonic time its event was read
        self.first = asyncio.Event()
        self.failed: str | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def run(self) -> None:
        query = "?include=page" if self.page else ""
        try:
            reader, self.writer = await asyncio.open_connection("127.0.0.1", STREAM_PORT, limit=1 << 20)
            # HTTP/1.0: the body is not chunked, so each line read is a line of the stream.
            request = f"GET /api/v1/track/{self.code}/stream/{query} HTTP/1.0\r\nHost: 127.0.0.1\r\n"
            self.writer.write(f"{request}Accept: text/event-stream\r\n\r\n".encode())
            status_line = await reader.readline()
            if b" 200 " not in status_line:
                self.failed = status_line.decode().strip()
                self.first.set()
                return
            # Whole blocks at a time: the client must cost little next to the server it measures.
            buffer = b""
            while chunk := await reader.read(1 << 16):
                *blocks, buffer = (buffer + chunk).split(b"\n\n")
                for block in blocks:
                    if b"\nevent: update\n" in block:
                        data = block.split(b"\ndata: ", 1)[1]
                        self.arrivals.setdefault(json.loads(data)["status"], time.monotonic())
                        self.first.set()
        except (OSError, asyncio.IncompleteReadError) as exc:
            self.failed = repr(exc)
            self.first.set()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return round(ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))] * 1000, 1)


async def probe(stop: asyncio.Event, code: str) -> dict[str, dict]:
    """Other endpoints while the streams are open: each asked every 100 ms, latency and failures."""
    targets = {
        "api_healthz": f"http://127.0.0.1:{API_PORT}/healthz/",
        "api_tracking_json": f"http://127.0.0.1:{API_PORT}/api/v1/track/{code}/",
        "stream_server_healthz": f"http://127.0.0.1:{STREAM_PORT}/healthz/",
    }
    timings = {name: [] for name in targets}
    failures = dict.fromkeys(targets, 0)

    def ask(url: str) -> float:
        started = time.monotonic()
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
        return time.monotonic() - started

    while not stop.is_set():
        for name, url in targets.items():
            try:
                timings[name].append(await asyncio.to_thread(ask, url))
            except OSError:
                failures[name] += 1
        await asyncio.sleep(0.1)
    return {
        name: {
            "requests": len(values) + failures[name],
            "failed": failures[name],
            "p50_ms": percentile(values, 50),
            "p99_ms": percentile(values, 99),
        }
        for name, values in timings.items()
    }


def change_status(order_id: str, token: str, status: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{API_PORT}/api/v1/orders/{order_id}/status/",
        data=json.dumps({"status": status}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200, response.status


async def scenario(name: str, server: StreamServer, orders: list, token: str, watch: list[int]) -> dict:
    """Open one stream per entry of `watch` (an index into `orders`), then CHANGES status changes."""
    rss_before = server.rss_kib()
    watchers = [Watcher(orders[i][1], page=n < STREAMS * PAGE_SHARE) for n, i in enumerate(watch)]
    opened = time.monotonic()
    tasks = []
    for n, watcher in enumerate(watchers):
        tasks.append(asyncio.create_task(watcher.run()))
        if n % 50 == 49:
            await asyncio.sleep(0.05)  # a crowd arriving, not one SYN flood
    await asyncio.wait_for(asyncio.gather(*(w.first.wait() for w in watchers)), timeout=120)
    open_seconds = time.monotonic() - opened
    failed = [w.failed for w in watchers if w.failed]
    await asyncio.sleep(1)
    rss_open = server.rss_kib()

    stop = asyncio.Event()
    prober = asyncio.create_task(probe(stop, orders[-1][1]))
    by_order: dict[int, list[Watcher]] = {}
    for index, watcher in zip(watch, watchers, strict=True):
        by_order.setdefault(index, []).append(watcher)
    state = STATES
    latencies, missed, per_change_p100 = [], 0, []
    for n in range(CHANGES):
        index = random.choice(list(by_order))
        target = (
            "delivery_failed"
            if state.get(index, "out_for_delivery") == "out_for_delivery"
            else "out_for_delivery"
        )
        for w in by_order[index]:
            w.arrivals.pop(target, None)
        sent = time.monotonic()
        await asyncio.to_thread(change_status, orders[index][0], token, target)
        state[index] = target
        deadline = sent + 10
        while time.monotonic() < deadline and not all(target in w.arrivals for w in by_order[index]):
            await asyncio.sleep(0.01)
        got = [w.arrivals[target] - sent for w in by_order[index] if target in w.arrivals]
        missed += len(by_order[index]) - len(got)
        latencies += got
        per_change_p100.append(round(max(got) * 1000, 1) if got else None)
        await asyncio.sleep(max(0.0, SPACING_SECONDS - (time.monotonic() - sent)) if n < CHANGES - 1 else 0)
    stop.set()
    probes = await prober
    still_open = sum(1 for task in tasks if not task.done())
    for watcher in watchers:
        watcher.close()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "scenario": name,
        "streams_opened": len(watchers),
        "page_streams": sum(w.page for w in watchers),
        "streams_failed": len(failed),
        "failures": failed[:5],
        "streams_held_to_the_end": still_open,
        "seconds_to_open_all_with_first_event": round(open_seconds, 2),
        "orders_watched": len(by_order),
        "changes": CHANGES,
        "deliveries": len(latencies),
        "missed": missed,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p99_ms": percentile(latencies, 99),
        "latency_max_ms": percentile(latencies, 100),
        "slowest_watcher_per_change_ms": per_change_p100,
        "within_goal": bool(latencies) and not missed and max(latencies) <= GOAL_SECONDS,
        "server_rss_mib_before": round(rss_before / 1024, 1),
        "server_rss_mib_open": round(rss_open / 1024, 1),
        "memory_per_stream_kib": round((rss_open - rss_before) / max(1, len(watchers)), 1),
        "other_endpoints_meanwhile": probes,
    }


def prepare(orders: list, token: str) -> None:
    """Every order out for delivery, so each change can flip it to a failed delivery and back."""
    for order_id, _ in orders:
        for status in ("confirmed", "processing", "shipped", "in_transit", "out_for_delivery"):
            change_status(order_id, token, status)


def main() -> None:
    env = environment()
    ensure_database(env["DATABASE_URL"])
    harness.manage("migrate", "--noinput", "-v", "0", env=env)
    data = seed(env)
    orders, token = data["orders"], data["token"]
    with StreamServer(env) as stream_server, harness.Server(port=API_PORT, workers=2, env=env):
        prepare(orders, token)
        spread = list(range(ORDERS)) * (STREAMS // ORDERS + 1)
        results = [
            asyncio.run(scenario("spread", stream_server, orders, token, sorted(spread[:STREAMS]))),
            asyncio.run(scenario("hot", stream_server, orders, token, [0] * STREAMS)),
        ]
    report = {
        "setup": {
            "stream_server": "uvicorn config.asgi:application, 1 process (uvloop, httptools)",
            "api_server": "gunicorn gthread, 2 workers x 4 threads",
            "database": "PostgreSQL",
            "fan_out": "Redis pub/sub, one subscription per process",
            "machine_cores": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
            "streams": STREAMS,
            "orders_in_spread": ORDERS,
            "changes_per_scenario": CHANGES,
            "page_share": PAGE_SHARE,
            "goal": f"every watcher within {GOAL_SECONDS} s of the change request",
        },
        "results": results,
        "streams_held": min(r["streams_held_to_the_end"] for r in results),
        "latency_p50_ms": statistics.median(r["latency_p50_ms"] for r in results),
        "latency_p99_ms": max(r["latency_p99_ms"] for r in results),
        "memory_per_stream_kib": max(r["memory_per_stream_kib"] for r in results),
        "within_goal": all(r["within_goal"] for r in results),
    }
    harness.write_report("tracking", report)


if __name__ == "__main__":
    main()

"""Shared benchmark plumbing: a real gunicorn on a real database, a threaded keep-alive load generator,
and a JSON report. Benchmarks compare an endpoint to `/healthz/` measured in the same run (ratios, not
absolute numbers, are what carries from one machine to another)."""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable


def bench_env(**extra: str) -> dict[str, str]:
    """Environment for manage.py / gunicorn: production-like local settings on the bench database."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ordertrail_bench")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env["DJANGO_DEBUG"] = "0"
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env or bench_env(), check=True)


class Server:
    """`with Server(port=8100, workers=4) as server:` runs gunicorn until the block ends."""

    def __init__(
        self, *, port: int, workers: int = 4, threads: int | None = None, env: dict[str, str] | None = None
    ):
        self.port = port
        self.workers = workers
        # BENCH_THREADS overrides the gthread threads per worker for every benchmark (default 4).
        self.threads = threads or int(os.environ.get("BENCH_THREADS", "4"))
        self.env = env or bench_env()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(self.threads),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz/", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not come up on port {self.port}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _proc_stat(pid: str) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds used by it and its ended children) of a Linux process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    # After the name: state, ppid, ... utime, stime (fields 14, 15 of the whole line) and cutime, cstime (16,
    # 17: its children that ended, so a recycled worker or a closed database connection still counts).
    ticks = sum(int(value) for value in fields[11:15])
    return name, int(fields[1]), ticks / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(server: Server) -> dict[str, float] | None:
    """CPU seconds used so far by the gunicorn master and its workers ("app") and by every PostgreSQL
    process on this machine ("postgres"); None where /proc is not there (not Linux).

    CPU time per request is steadier than req/s on a shared machine: a neighbour's load slows the clock,
    not the work each request costs.
    """
    if server.process is None:
        return None
    return process_tree_cpu_seconds([server.process.pid])


def process_tree_cpu_seconds(root_pids: list[int]) -> dict[str, float] | None:
    """CPU seconds used so far by the processes `root_pids` and their descendants ("app") and by every
    PostgreSQL process on this machine ("postgres"); None where /proc is not there (not Linux)."""
    if not Path("/proc/self/stat").exists():
        return None
    stats = {pid: stat for pid in os.listdir("/proc") if pid.isdigit() and (stat := _proc_stat(pid))}
    app_pids, frontier = set(), set(root_pids)
    while frontier:  # the master, its workers, and anything they started
        app_pids |= frontier
        frontier = {int(pid) for pid, (_, ppid, _) in stats.items() if ppid in frontier} - app_pids
    return {
        "app": sum(cpu for pid, (_, _, cpu) in stats.items() if int(pid) in app_pids),
        "postgres": sum(cpu for name, _, cpu in stats.values() if name.startswith("postgres")),
    }


def database_backends_cpu_seconds() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to this process's database (Django set up),
    this process's own connection left out: the bench database's share of PostgreSQL, whatever other
    databases on the same server are doing. A backend that ends between two readings loses its share, so
    measure servers that keep their connections."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [pid for (pid,) in cursor.fetchall()]
    return {pid: stat[2] for pid in pids if (stat := _proc_stat(str(pid)))}


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    status_counts: dict[str, int]

    def ratio_to(self, baseline: Result) -> float:
        return round(self.rps / baseline.rps, 3) if baseline.rps else 0.0


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return round(sorted_values[index] * 1000, 2)


def load(
    name: str,
    *,
    port: int,
    requests: Iterable[Request] | Callable[[int], Request],
    total: int,
    concurrency: int,
) -> Result:
    """Send `total` requests with `concurrency` keep-alive clients; `requests` is a list or i -> Request."""
    if callable(requests):
        make = requests
    else:
        items = list(requests)
        make = items.__getitem__
    lock = threading.Lock()
    counter = iter(range(total))
    latencies: list[float] = []
    statuses: dict[str, int] = {}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            req = make(i)
            started = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=req.body, headers=req.headers)
                response = conn.getresponse()
                response.read()
                status = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            except (OSError, http.client.HTTPException):
                status = "error"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    return Result(
        name=name,
        requests=total,
        seconds=round(seconds, 3),
        rps=round(total / seconds, 1) if seconds else 0.0,
        p50_ms=round(statistics.median(latencies) * 1000, 2) if latencies else 0.0,
        p95_ms=_percentile(latencies, 95),
        p99_ms=_percentile(latencies, 99),
        status_counts=statuses,
    )


def write_report(name: str, report: dict) -> Path:
    """Write `bench/results/<name>.json` and print it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    serialisable = json.loads(
        json.dumps(report, default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else str(o))
    )
    path.write_text(json.dumps(serialisable, indent=2) + "\n")
    print(json.dumps(serialisable, indent=2))
    return path


def django_ready(env: dict[str, str]) -> None:
    """Set up Django in this process on the bench database (for seeding through the models and services)."""
    os.environ.update(env)
    import django

    django.setup()


def approved_merchant(*, run: str):
    """An approved, active merchant with its own account (Django set up); returns the Merchant."""
    from django.utils import timezone

    from accounts.models import AccountType, User
    from merchants.models import KYCStatus, Merchant

    owner = User.objects.create_user(
        email=f"bench-merchant-{run}@example.com", password=None, account_type=AccountType.MERCHANT
    )
    return Merchant.objects.create(
        user=owner,
        company_name=f"Bench Shop {run}",
        kyc_status=KYCStatus.APPROVED,
        is_active=True,
        activated_at=timezone.now(),
    )

"""SMS throughput: 10,000 SMS notifications through 2 Celery worker processes to the Africa's Talking stand-in
answering in 50 ms, once with a healthy provider and once failing 20 % of its requests. Per run: SMS/s from
the first row written to the outbox drained, lost and duplicated messages (counted at the stand-in), time from
row to `sent` (p50/p99), and the workers' CPU per SMS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ot_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/notifications.py [--count 10000] [--fail-rates 0,0.2] [--latency 0.05] \\
        [--workers 2] [--pool threads] [--concurrency 16]

The workers run as operators run them (`make worker`): `celery worker --pool threads`, each thread claiming
its row before the provider call, so waiting on the network holds a thread, not a process. `--pool prefork
--concurrency 1` is the old shape (one process per message in flight), for comparison.

Needs PostgreSQL and Redis; the queues in the Redis database named in CELERY_BROKER_URL are emptied. Writes
bench/results/notifications.json and prints the same JSON.
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DJANGO_DEBUG"] = "0"

GOAL_PER_SECOND = 200  # issue 18


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))], 3)


def run(*, args, fail_rate: float) -> dict:
    """One run: `args.count` SMS queued in one transaction (a task each, published on commit), then a fresh
    stand-in and workers drain them. Queueing first keeps the publishing loop of this process (which also
    serves the stand-in) from slowing the stand-in's answers while the workers send."""
    from django.db import transaction
    from django.utils import timezone

    from bench.harness import database_backends_cpu_seconds, process_tree_cpu_seconds
    from notifications.models import Channel, Notification, NotificationStatus
    from notifications.services import notification_create
    from tests.notifications.standins import SmsApi, SmtpServer
    from tests.notifications.workers import Worker, broker_flush, publishing_to, wait_until

    broker_flush()
    sms, smtp = SmsApi(fail_rate=fail_rate, latency=args.latency), SmtpServer()
    settings_env = {
        "NOTIFICATIONS_MAX_ATTEMPTS": str(args.max_attempts),
        # Retries within seconds so that a run ends (production waits 30 s, doubling up to an hour).
        "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.5",
        "NOTIFICATIONS_RETRY_MAX_SECONDS": "8",
        # The sweeper as in production: it must not republish a backlog that is merely waiting its turn.
        "NOTIFICATIONS_SWEEP_INTERVAL_SECONDS": "30",
        "NOTIFICATIONS_SWEEP_GRACE_SECONDS": "60",
        "NOTIFICATIONS_SENDING_LEASE_SECONDS": "300",
        # A connection per thread (config.settings.local pools them per process).
        "DB_POOL_MAX_SIZE": str(args.concurrency + 2),
        "AFRICASTALKING_TIMEOUT_SECONDS": "10",  # the production default
    }
    numbers = [f"+2547{i:08d}" for i in range(args.count)]
    bench_rows = Notification.objects.filter(recipient__in=numbers)
    workers = []
    try:
        with publishing_to(os.environ["CELERY_BROKER_URL"]):
            queue_started = time.monotonic()
            with transaction.atomic():
                for i, number in enumerate(numbers):
                    notification_create(
                        channel=Channel.SMS,
                        recipient=number,
                        template="broadcast",
                        context={"message": f"Bench message {i}"},
                    )
            queued = time.monotonic()
            load_before = os.getloadavg()
            db_before = database_backends_cpu_seconds()
            started = time.monotonic()
            started_at = timezone.now()
            for i in range(args.workers):  # the first one starts sending while the next boots
                workers.append(
                    Worker(
                        sms_base_url=sms.base_url,
                        smtp_url=smtp.url,
                        concurrency=args.concurrency,
                        pool=args.pool,
                        beat=(i == 0),
                        extra_env=settings_env,
                    )
                )
            wait_until(
                lambda: (
                    not bench_rows.filter(
                        status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
                    ).exists()
                ),
                timeout=1800,
                interval=0.1,
                message="the outbox to drain",
            )
            drained = time.monotonic()
        worker_cpu = process_tree_cpu_seconds([w.process.pid for w in workers])
        db_after = database_backends_cpu_seconds()
    finally:
        for worker in workers:
            worker.stop()
        sms.stop()
        smtp.stop()
        broker_flush()
    load_after = os.getloadavg()

    statuses = Counter(bench_rows.values_list("status", flat=True))
    attempts = Counter(bench_rows.values_list("attempts", flat=True))
    to_sent = [  # from the first worker's start (every row was queued before)
        (sent_at - started_at).total_seconds()
        for sent_at in bench_rows.filter(status=NotificationStatus.SENT).values_list("sent_at", flat=True)
    ]
    delivered = sms.counts()
    sent_numbers = set(bench_rows.filter(status=NotificationStatus.SENT).values_list("recipient", flat=True))
    lost = sum(1 for n in numbers if n not in delivered)
    duplicated = sum(1 for n in numbers if delivered.get(n, 0) > 1)
    per_second = round(args.count / (drained - started), 1)
    cpu = {
        "workers": round(worker_cpu["app"] * 1000 / args.count, 2),  # start-up included
        "db": round(sum(s - db_before.get(pid, 0.0) for pid, s in db_after.items()) * 1000 / args.count, 2),
    }
    bench_rows.delete()
    return {
        "provider_fail_rate": fail_rate,
        "seconds_to_queue": round(queued - queue_started, 2),
        "seconds_to_drain": round(drained - started, 2),
        "per_second": per_second,
        "sent": statuses.get(NotificationStatus.SENT, 0),
        "failed": statuses.get(NotificationStatus.FAILED, 0),
        "outcome_unknown": statuses.get(NotificationStatus.OUTCOME_UNKNOWN, 0),
        "pending": statuses.get(NotificationStatus.PENDING, 0),
        # Counted at the stand-in: numbers that never got their text, numbers that got it more than once.
        "lost": lost,
        "duplicated": duplicated,
        "sent_but_not_delivered": sum(1 for n in sent_numbers if n not in delivered),
        "delivered_but_not_sent": sum(1 for n in delivered if n in set(numbers) and n not in sent_numbers),
        "time_to_sent_seconds": {
            "p50": _percentile(to_sent, 50),
            "p99": _percentile(to_sent, 99),
            "max": round(max(to_sent), 3) if to_sent else 0.0,
            "mean": round(statistics.fmean(to_sent), 3) if to_sent else 0.0,
        },
        # The worker processes (pool and embedded beat included) and the bench database's other backends.
        "cpu_ms_per_sms": cpu,
        "provider_requests": sms.requests,
        "provider_failures_injected": sms.failures,
        "attempts_histogram": {str(k): v for k, v in sorted(attempts.items())},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "goal_met": per_second >= GOAL_PER_SECOND and lost == 0 and duplicated == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument(
        "--fail-rates", default="0,0.2", help="comma-separated provider failure rates, one run each"
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the stand-in takes to answer")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork", "solo"])
    parser.add_argument("--concurrency", type=int, default=16, help="threads (or pool processes) per worker")
    parser.add_argument("--max-attempts", type=int, default=8)
    parser.add_argument("--report", default="notifications", help="bench/results/<REPORT>.json")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the workers share it).")
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        sys.exit("Set CELERY_BROKER_URL to a Redis database this benchmark may flush.")

    import django

    django.setup()
    from django.core.management import call_command

    from bench.harness import write_report
    from notifications.models import Notification, NotificationStatus

    call_command("migrate", verbosity=0)
    Notification.objects.filter(template="broadcast", order__isnull=True, broadcast__isnull=True).delete()
    others = Notification.objects.filter(status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING])
    if others.exists():  # the sweeper would send them too, and their cost would count as the bench's
        sys.exit(f"{others.count()} other notification(s) pending in this database: use another one.")
    runs = [run(args=args, fail_rate=float(rate)) for rate in args.fail_rates.split(",") if rate.strip()]
    report = {
        "setup": {
            "notifications_per_run": args.count,
            "worker_processes": args.workers,
            "pool": args.pool,
            "concurrency_per_worker": args.concurrency,
            "provider_latency_seconds": args.latency,
            "max_attempts": args.max_attempts,
            "queued": "one notification_create per SMS in one transaction, one task each, published on commit",
            "machine": f"{os.cpu_count()} cores, shared",
        },
        "goal": {"per_second": GOAL_PER_SECOND, "lost": 0, "duplicated": 0},
        "runs": runs,
        "goal_met": all(r["goal_met"] for r in runs),
    }
    path = write_report(args.report, report)
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()

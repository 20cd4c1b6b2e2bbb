"""1,000 SMS notifications through 2 Celery worker processes to the Africa's Talking stand-in failing 20 %
of its requests: time to drain the outbox, and how many ended sent, failed, and delivered more than once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ot_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/notifications.py [--count 1000] [--fail-rate 0.2] [--workers 2]

Needs PostgreSQL and Redis; the queues in the Redis database named in CELERY_BROKER_URL are emptied. Writes
bench/results/notifications.json and prints the same JSON.
"""

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DJANGO_DEBUG"] = "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--fail-rate", type=float, default=0.2)
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes (each with one pool process)"
    )
    parser.add_argument("--max-attempts", type=int, default=8)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the workers share it).")
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        sys.exit("Set CELERY_BROKER_URL to a Redis database this benchmark may flush.")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from bench.harness import write_report
    from notifications.models import Channel, Notification, NotificationStatus
    from notifications.services import notification_create
    from tests.notifications.standins import SmsApi, SmtpServer
    from tests.notifications.workers import Worker, broker_flush, publishing_to, wait_until

    call_command("migrate", verbosity=0)
    Notification.objects.filter(template="broadcast", order__isnull=True, broadcast__isnull=True).delete()
    broker_flush()
    sms, smtp = SmsApi(fail_rate=args.fail_rate), SmtpServer()
    settings_env = {
        "NOTIFICATIONS_MAX_ATTEMPTS": str(args.max_attempts),
        "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.5",
        "NOTIFICATIONS_RETRY_MAX_SECONDS": "8",
        "NOTIFICATIONS_SWEEP_GRACE_SECONDS": "30",
        "NOTIFICATIONS_SENDING_LEASE_SECONDS": "120",
    }
    workers = [
        Worker(
            sms_base_url=sms.base_url, smtp_url=smtp.url, concurrency=1, beat=(i == 0), extra_env=settings_env
        )
        for i in range(args.workers)
    ]
    numbers = [f"+2547{i:08d}" for i in range(args.count)]
    try:
        with publishing_to(os.environ["CELERY_BROKER_URL"]):
            started = time.monotonic()
            with transaction.atomic():
                for i, number in enumerate(numbers):
                    notification_create(
                        channel=Channel.SMS,
                        recipient=number,
                        template="broadcast",
                        context={"message": f"Bench message {i}"},
                    )
            queued = time.monotonic()
            bench_rows = Notification.objects.filter(recipient__in=numbers)
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
    finally:
        for worker in workers:
            worker.stop()
        sms.stop()
        smtp.stop()
        broker_flush()

    statuses = Counter(bench_rows.values_list("status", flat=True))
    attempts = Counter(bench_rows.values_list("attempts", flat=True))
    delivered = sms.counts()
    report = {
        "notifications": args.count,
        "worker_processes": args.workers,
        "provider_fail_rate": args.fail_rate,
        "max_attempts": args.max_attempts,
        "seconds_to_queue": round(queued - started, 2),
        "seconds_to_drain": round(drained - started, 2),
        "per_second": round(args.count / (drained - started), 1),
        "sent": statuses.get(NotificationStatus.SENT, 0),
        "failed": statuses.get(NotificationStatus.FAILED, 0),
        "pending": statuses.get(NotificationStatus.PENDING, 0),
        "delivered_numbers": len(delivered),
        "duplicated": sum(1 for n in delivered.values() if n > 1),
        "sent_but_not_delivered": sum(
            1
            for n in bench_rows.filter(status=NotificationStatus.SENT).values_list("recipient", flat=True)
            if n not in delivered
        ),
        "provider_requests": sms.requests,
        "provider_failures_injected": sms.failures,
        "attempts_histogram": {str(k): v for k, v in sorted(attempts.items())},
    }
    Notification.objects.filter(recipient__in=numbers).delete()
    path = write_report("notifications", report)
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Requests fired at the same instant from threads, each with its own database connection (PostgreSQL tests)."""

import threading

from django.db import connections

from tests.conftest import bearer_client


def run_together(requests):
    """Run each `() -> response` in its own thread (own DB connection), released at the same instant."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def worker(i, send):
        try:
            barrier.wait(timeout=60)
            response = send()
            results[i] = (response.status_code, response.json())
        except Exception as exc:  # reported below: a thread must never fail silently
            results[i] = ("exception", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, send)) for i, send in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def bearer_clients(users) -> list:
    """An API client per user; a 500 shows up as a 500 instead of raising in (and killing) its thread."""
    clients = [bearer_client(user) for user in users]
    for client in clients:
        client.raise_request_exception = False
    return clients

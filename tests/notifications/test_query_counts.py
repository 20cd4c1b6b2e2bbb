"""The outbox's lists cost the same queries for a page of 2 or 50 and for a few or many rows (issue 18), in
the admin API and in the Django admin."""

import itertools

import pytest
from django.db import connection
from django.utils import timezone

from notifications.admin import NotificationAdmin, notification_templates
from notifications.models import Broadcast, Notification, NotificationStatus
from tests.factories import ProductFactory, placed_order
from tests.query_counts import assert_list_queries

pytestmark = pytest.mark.django_db
# On PostgreSQL the Django admin asks the planner for an estimate (EXPLAIN) before it counts exactly.
EXPLAIN = 1 if connection.vendor == "postgresql" else 0
_numbers = itertools.count()


def outbox(n, recipient=None):
    """`n` rows: SMS and email, every third one failed, some of a broadcast (all to `recipient` if given)."""
    broadcast = Broadcast.objects.create(audience="customers", channels=["sms"], message="Hello")
    for _ in range(n):
        i = next(_numbers)
        failed = i % 3 == 0
        Notification.objects.create(
            channel="sms" if i % 2 else "email",
            recipient=recipient or (f"+25471100{i:04d}" if i % 2 else f"user{i}@example.com"),
            template="broadcast" if i % 4 == 0 else "order_status_changed",
            context={"message": "hello"},
            status=NotificationStatus.FAILED if failed else NotificationStatus.SENT,
            sent_at=None if failed else timezone.now(),
            broadcast=broadcast if i % 4 == 0 and recipient is None else None,
        )


@pytest.mark.parametrize("params", [{}, {"status": "failed"}, {"channel": "sms"}], ids=str)
def test_the_admin_api_lists_notifications(admin_client, django_assert_num_queries, params):
    outbox(3)
    # the user (JWT), COUNT, the page
    assert_list_queries(
        django_assert_num_queries,
        admin_client,
        "/api/v1/admin/notifications/",
        3,
        grow=lambda: outbox(9),
        params=params,
    )


def test_the_admin_api_lists_broadcasts_with_their_counts(admin_client, django_assert_num_queries):
    outbox(3)
    # the user (JWT), COUNT, the page with its pending/sent/failed counts
    assert_list_queries(
        django_assert_num_queries, admin_client, "/api/v1/admin/broadcasts/", 3, grow=lambda: outbox(4)
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status__exact": "failed"},
        {"channel__exact": "sms"},
        {"template": "broadcast"},
        {"q": "+254711000004"},
    ],
    ids=["all", "status", "channel", "template", "search-recipient"],
)
def test_the_django_admin_changelist(admin_user, client, django_assert_num_queries, monkeypatch, params):
    outbox(5)
    client.force_login(admin_user)
    if "q" in params:  # the searched recipient gets more messages as the outbox grows
        params = {"q": "+254711000001"}
    # the session, the user, [EXPLAIN], COUNT, the page with its orders
    expected = 4 + EXPLAIN
    for per_page in (2, 100):
        monkeypatch.setattr(NotificationAdmin, "list_per_page", per_page)
        assert_list_queries(
            django_assert_num_queries,
            client,
            "/admin/notifications/notification/",
            expected,
            grow=lambda: outbox(9, recipient="+254711000001") if "q" in params else outbox(9),
            params=params,
            page_sizes=(None,),
        )


def test_the_admin_finds_an_orders_notifications_by_its_number(admin_user, client):
    order = placed_order(product=ProductFactory())
    outbox(3)
    client.force_login(admin_user)

    page = client.get(
        "/admin/notifications/notification/", {"q": order.order_number.lower()}
    ).content.decode()

    rows = Notification.objects.filter(order=order).count()
    assert rows and f"{rows} result" in page


def test_the_template_filter_lists_every_template_the_code_sends():
    assert {"order_placed", "order_placed_admin", "order_status_changed", "otp", "broadcast"} <= set(
        notification_templates()
    )

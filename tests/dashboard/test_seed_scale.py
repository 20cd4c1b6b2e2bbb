"""`manage.py seed_scale` fills an empty PostgreSQL database with a whole platform that the app reads and
writes like its own data (here at `--scale tiny`, a thousandth of `large`)."""

import functools
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max

from catalog.models import Category, Product
from dashboard.management.commands._scale_plan import SCALES
from notifications.models import Notification
from orders.models import Order, OrderItem, TrackingEvent
from orders.placement import order_place
from orders.selectors import order_totals, order_totals_counted
from tests.factories import totals_rows
from webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TINY = SCALES["tiny"]


def seed_tiny() -> str:
    out = io.StringIO()
    call_command("seed_scale", "--scale", "tiny", "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def indexes_and_constraints() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "UNION SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace"
        )
        return set(cursor.fetchall())


def test_the_tiny_platform_has_its_sizes_a_valid_tree_and_the_schema_it_started_with():
    schema = indexes_and_constraints()

    output = seed_tiny()

    assert "admin@scale.ordertrail.local / ordertrail-admin" in output
    assert indexes_and_constraints() == schema  # every index and constraint came back, checked
    assert Category.objects.count() == TINY.categories
    assert Product.objects.count() == TINY.products
    assert Order.objects.count() == TINY.orders
    tree = set(Category.objects.values_list("id", "lft", "rght", "level", "tree_id"))
    Category.objects.rebuild()
    assert set(Category.objects.values_list("id", "lft", "rght", "level", "tree_id")) == tree
    # The busiest merchant owns its share; every order has lines and a timeline ending in its status.
    top = Order.objects.values("merchant").annotate(n=Count("id")).order_by("-n").first()
    assert top["n"] >= TINY.big_merchant_orders * 0.9
    assert not Order.objects.filter(items__isnull=True).exists()
    for order in Order.objects.order_by("?")[:20]:
        assert order.events.order_by("occurred_at", "id").last().status == order.status
    assert OrderItem.objects.count() >= 2 * TINY.orders
    assert TrackingEvent.objects.count() >= 4 * TINY.orders
    # The outbox and the delivery log hold the newest orders' rows, about the requested totals.
    assert TINY.notifications <= Notification.objects.count() < TINY.notifications + 20
    assert TINY.deliveries <= WebhookDelivery.objects.count() < TINY.deliveries + 20
    assert not Notification.objects.filter(status="sent", sent_at__isnull=True).exists()
    # the dashboard's running totals counted every loaded order (the trigger fires on COPY too)
    assert totals_rows(order_totals()) == totals_rows(order_totals_counted())
    assert sum(row["orders"] for row in order_totals()) == TINY.orders


def test_the_progress_bars_an_operator_sees_do_not_change_the_rows(monkeypatch):
    # `--scale large` from a terminal redraws its bars while rows stream through them; tqdm's update() then
    # returns True, and rows once became that True (the load stopped on the first customer).
    from dashboard.management.commands import seed_scale

    bars = io.StringIO()
    monkeypatch.setattr(
        seed_scale, "tqdm", functools.partial(seed_scale.tqdm, file=bars, mininterval=0, miniters=1)
    )

    call_command("seed_scale", "--scale", "tiny", stdout=io.StringIO(), stderr=io.StringIO())

    assert "customers: 100%" in bars.getvalue()
    assert Order.objects.count() == TINY.orders
    assert Product.objects.count() == TINY.products


def test_the_platform_keeps_working_after_the_load():
    seed_tiny()
    product = Product.objects.filter(is_active=True, stock__gt=0, merchant__is_active=True).first()
    customer = Order.objects.filter(customer__isnull=False).first().customer
    last_number = Order.objects.aggregate(n=Max("order_number"))["n"]

    order, created = order_place(
        customer=customer,
        items=[{"product": product.pk, "quantity": 1}],
        phone_number="+254712345678",
        shipping_address="Moi Avenue 1, Nairobi",
    )

    assert created
    assert order.order_number > last_number  # the number sequence was moved past the loaded orders
    assert order.events.count() == 1


def test_it_refuses_a_database_that_already_holds_data():
    seed_tiny()
    with pytest.raises(CommandError, match="empty database"):
        seed_tiny()

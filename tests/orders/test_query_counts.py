"""Placing an order is the hot path: its database round trips are counted so they cannot creep back."""

import pytest

from notifications.models import Notification
from tests.factories import ProductFactory, order_body

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"

# The customer (JWT), SAVEPOINT (BEGIN in production), the products FOR UPDATE, the stock UPDATE, the order
# number, the order, its lines, its timeline event, the outbox rows (one INSERT for all: the buyer's SMS, the
# admins' and the merchant's emails; the merchant's address comes with the locked products), RELEASE (COMMIT).
PLACEMENT_QUERIES = 10


def test_placing_an_order_costs_ten_queries_and_the_staff_list_is_read_once(
    customer_client, admin_user, merchant, settings, django_assert_num_queries
):
    settings.ADMIN_NOTIFICATION_EMAILS = []
    first, second = ProductFactory.create_batch(2, merchant=merchant)

    with django_assert_num_queries(PLACEMENT_QUERIES + 1):  # + the active staff's emails, then cached
        response = customer_client.post(URL, order_body((first, 1)))
    assert response.status_code == 201
    with django_assert_num_queries(PLACEMENT_QUERIES):
        response = customer_client.post(URL, order_body((second, 2)))
    assert response.status_code == 201

    rows = Notification.objects.filter(order_id=response.json()["id"])
    assert sorted(rows.values_list("channel", "template", "recipient")) == [
        ("email", "order_placed_admin", admin_user.email),
        ("email", "order_placed_merchant", merchant.user.email),
        ("sms", "order_placed", "+254712000111"),
    ]


def test_a_new_admin_is_notified_of_the_very_next_order(customer_client, merchant, settings):
    from tests.factories import AdminFactory

    settings.ADMIN_NOTIFICATION_EMAILS = []
    first, second = ProductFactory.create_batch(2, merchant=merchant)
    customer_client.post(URL, order_body((first, 1)))  # no admin yet: the empty staff list is cached

    admin = AdminFactory()
    response = customer_client.post(URL, order_body((second, 1)))

    assert (
        Notification.objects.filter(order_id=response.json()["id"], template="order_placed_admin")
        .values_list("recipient", flat=True)
        .get()
        == admin.email
    )

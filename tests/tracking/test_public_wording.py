"""What the public timeline says: who cancelled, never why (issue 15, row 8), and no internal bookkeeping
("Implied by the platform reporting shipped.") on platform orders."""

import pytest

from orders.lifecycle import OrderStatus
from orders.models import EventSource
from orders.services import order_status_report
from tests.conftest import bearer_client
from tests.factories import external_order, placed_order

pytestmark = pytest.mark.django_db
REASON = "Wrong address: deliver to Kenyatta Avenue 12 instead, call me on +254700111222"


def public_views(client, order) -> tuple[dict, str]:
    api = client.get(f"/api/v1/track/{order.tracking_code}/")
    page = client.get(f"/track/{order.tracking_code}/")
    assert api.status_code == page.status_code == 200
    return api.json(), page.content.decode()


def test_a_customers_cancellation_reason_is_never_public(client, customer, merchant):
    """The attack: a reason typed with an address and a phone number was shown to anyone with the link."""
    order = placed_order(customer=customer, merchant=merchant)
    cancelled = bearer_client(customer).post(
        f"/api/v1/orders/{order.pk}/cancel/", {"reason": REASON}, format="json"
    )
    assert cancelled.status_code == 200

    body, html = public_views(client, order)

    assert body["status"] == "cancelled"
    assert body["events"][-1] == {
        "status": "cancelled",
        "location": "",
        "note": "Cancelled by the customer.",
        "occurred_at": body["events"][-1]["occurred_at"],
    }
    for fragment in ("Kenyatta", "+254700111222", "254700111222", "Wrong address"):
        assert fragment not in str(body) and fragment not in html
    assert "Cancelled by the customer." in html
    # ...while the people allowed to see the order still see the reason on its private timeline.
    private = bearer_client(merchant.user).get(f"/api/v1/orders/{order.pk}/tracking/").json()
    assert private[-1]["note"] == REASON


@pytest.mark.parametrize(
    ("who", "says"),
    [
        ("merchant", "Cancelled by the shop."),
        ("admin", "Cancelled by the platform."),
    ],
)
def test_the_public_timeline_says_who_cancelled(client, customer, merchant, admin_user, who, says):
    order = placed_order(customer=customer, merchant=merchant)
    actor = merchant.user if who == "merchant" else admin_user
    response = bearer_client(actor).post(
        f"/api/v1/orders/{order.pk}/cancel/", {"reason": REASON}, format="json"
    )
    assert response.status_code == 200

    body, html = public_views(client, order)

    assert body["events"][-1]["note"] == says
    assert says in html and "Kenyatta" not in html


def platform_reports(order, status: str, **report) -> None:
    """What webhooks.events does with a platform's report (order.status_updated / order.cancelled)."""
    order_status_report(
        merchant=order.merchant,
        external_id=order.external_id,
        status=status,
        source=EventSource.WEBHOOK,
        allow_implied=True,
        **report,
    )


def test_a_cancellation_by_the_shops_platform_is_the_shops(client, merchant):
    order = external_order(merchant=merchant)
    platform_reports(order, OrderStatus.CANCELLED, note=REASON, location="Kenyatta Avenue 12")

    body, html = public_views(client, order)

    assert body["events"][-1]["note"] == "Cancelled by the shop."
    assert body["events"][-1]["location"] == ""
    assert "Kenyatta" not in html and "Kenyatta" not in str(body)


def test_steps_a_platform_skipped_read_as_customer_wording(client, merchant):
    order = external_order(merchant=merchant)
    platform_reports(order, OrderStatus.SHIPPED, location="Mombasa depot")

    body, html = public_views(client, order)

    assert [(e["status"], e["note"]) for e in body["events"]] == [
        ("pending", "Order received from the shop."),
        ("confirmed", "Done before your order was marked “Shipped”."),
        ("processing", "Done before your order was marked “Shipped”."),
        ("shipped", ""),
    ]
    for internal in ("Implied by", "merchant's platform", "merchant&#x27;s platform"):
        assert internal not in html and internal not in str(body)

"""An order's payment status: set by its merchant or an admin (API, Django admin), refunds only after a
payment, repeats harmless, every change on the payment timeline, the customer told of payments and refunds."""

import pytest

from notifications.models import Notification
from orders.models import OrderEvent
from orders.payments import PAYMENT_TRANSITIONS, PaymentStatus
from tests.conftest import bearer_client
from tests.factories import MerchantFactory, order_moved_to, payment_history, placed_order

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/orders/order/"


def payment_url(order):
    return f"/api/v1/orders/{order.pk}/payment/"


def pay(client, order, payment_status, **body):
    return client.post(payment_url(order), {"payment_status": payment_status, **body}, format="json")


def payment_texts(order):
    return list(
        Notification.objects.filter(order=order, template="order_payment_changed")
        .order_by("created_at")
        .values_list("context__payment_status", flat=True)
    )


def test_the_rules_are_the_issues_rules():
    assert set(PAYMENT_TRANSITIONS) == set(PaymentStatus.values)
    refunds = {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
    # A refund only after a payment; nothing after a full refund.
    assert not refunds & set(PAYMENT_TRANSITIONS[PaymentStatus.UNPAID])
    assert PAYMENT_TRANSITIONS[PaymentStatus.REFUNDED] == ()


def test_a_new_order_is_unpaid(customer_client, product):
    body = customer_client.post(
        "/api/v1/orders/",
        {"items": [{"product": str(product.pk), "quantity": 1}], "phone_number": "+254712000111",
         "shipping_address": "Moi Avenue 1"},
        format="json",
    ).json()  # fmt: skip
    assert (body["payment_status"], body["estimated_delivery"], body["language"]) == ("unpaid", None, "en")


def test_the_merchant_records_a_payment_with_its_m_pesa_receipt(merchant, merchant_client):
    order = placed_order(merchant=merchant)

    response = pay(merchant_client, order, "paid", reference="QJ12ABC3DE")

    assert response.status_code == 200
    assert response.json()["payment_status"] == "paid"
    event = OrderEvent.objects.get(order=order, type="payment")
    assert (event.payment_status, event.reference, event.source, event.actor) == (
        "paid",
        "QJ12ABC3DE",
        "api",
        merchant.user,
    )
    assert payment_texts(order) == ["paid"]


def test_a_refund_before_any_payment_is_refused(merchant, merchant_client):
    order = placed_order(merchant=merchant)

    for refund in ("refunded", "partially_refunded"):
        response = pay(merchant_client, order, refund)
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_payment_transition"

    order.refresh_from_db()
    assert order.payment_status == "unpaid"
    assert payment_history(order) == []


def test_nothing_moves_after_a_full_refund(merchant, merchant_client):
    order = placed_order(merchant=merchant)
    for payment_status in ("paid", "refunded"):
        assert pay(merchant_client, order, payment_status).status_code == 200

    for payment_status in ("paid", "unpaid", "partially_refunded"):
        assert pay(merchant_client, order, payment_status).json()["code"] == "invalid_payment_transition"


def test_repeating_a_payment_changes_nothing_and_texts_nobody_twice(merchant, merchant_client):
    order = placed_order(merchant=merchant)
    first = pay(merchant_client, order, "paid", reference="QJ12ABC3DE")
    again = pay(merchant_client, order, "paid", reference="QJ12ABC3DE")
    once_more = pay(merchant_client, order, "paid")

    assert first.status_code == again.status_code == once_more.status_code == 200
    assert payment_history(order) == [("paid", "QJ12ABC3DE", "")]
    assert payment_texts(order) == ["paid"]


def test_a_further_partial_refund_is_a_change_of_its_own(merchant, merchant_client):
    order = placed_order(merchant=merchant)
    pay(merchant_client, order, "paid", reference="PAY-1")
    pay(merchant_client, order, "partially_refunded", reference="REF-1")
    pay(merchant_client, order, "partially_refunded", reference="REF-1")  # the same refund again
    pay(merchant_client, order, "partially_refunded", reference="REF-2")
    pay(merchant_client, order, "refunded", reference="REF-3")

    assert [row[:2] for row in payment_history(order)] == [
        ("paid", "PAY-1"),
        ("partially_refunded", "REF-1"),
        ("partially_refunded", "REF-2"),
        ("refunded", "REF-3"),
    ]
    assert payment_texts(order) == ["paid", "partially_refunded", "partially_refunded", "refunded"]


def test_the_customer_is_not_told_of_unpaid(merchant, merchant_client):
    order = placed_order(merchant=merchant)
    pay(merchant_client, order, "paid")

    reversed_ = pay(merchant_client, order, "unpaid", reference="bounced")

    assert reversed_.json()["payment_status"] == "unpaid"
    assert payment_history(order)[-1] == ("unpaid", "bounced", "")
    assert payment_texts(order) == ["paid"]


def test_a_cancelled_paid_order_stays_paid_until_refunded(merchant, merchant_client, admin_client):
    order = placed_order(merchant=merchant)
    pay(merchant_client, order, "paid")
    order_moved_to(order, "cancelled")

    figures = admin_client.get("/api/v1/admin/dashboard/").json()
    assert order.payment_status == "paid"
    assert figures["orders_awaiting_refund"] == 1
    assert figures["orders_by_payment_status"] == {
        "unpaid": 0,
        "paid": 1,
        "partially_refunded": 0,
        "refunded": 0,
    }

    assert pay(admin_client, order, "refunded", reference="R-9").status_code == 200
    figures = admin_client.get("/api/v1/admin/dashboard/").json()
    assert figures["orders_awaiting_refund"] == 0
    assert figures["orders_by_payment_status"]["refunded"] == 1
    assert payment_history(order)[-1] == ("refunded", "R-9", "")


def test_only_the_orders_merchant_or_an_admin_records_payments(customer, customer_client, merchant):
    order = placed_order(customer=customer, merchant=merchant)
    other_merchant = bearer_client(MerchantFactory().user)

    assert pay(customer_client, order, "paid").status_code == 403
    assert pay(other_merchant, order, "paid").status_code == 404
    assert (
        pay(bearer_client(MerchantFactory(pending=True).user), order, "paid").json()["code"] == "kyc_required"
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"payment_status": "settled"},
        {"payment_status": "paid", "reference": "x" * 101},
        {"payment_status": 1},
    ],
)
def test_a_bad_payment_body_is_a_400(merchant, merchant_client, body):
    order = placed_order(merchant=merchant)
    response = merchant_client.post(payment_url(order), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_order_lists_filter_by_payment_status(merchant, merchant_client):
    paid, refunded, unpaid = (placed_order(merchant=merchant) for _ in range(3))
    pay(merchant_client, paid, "paid")
    pay(merchant_client, refunded, "paid")
    pay(merchant_client, refunded, "refunded")

    def listed(**params):
        return {row["id"] for row in merchant_client.get("/api/v1/orders/", params).json()["results"]}

    assert listed(payment_status="paid") == {str(paid.pk)}
    assert listed(payment_status="refunded", status="pending") == {str(refunded.pk)}
    assert listed(payment_status="unpaid") == {str(unpaid.pk)}
    bad = merchant_client.get("/api/v1/orders/", {"payment_status": "settled"})
    assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def test_staff_record_payments_in_the_django_admin_within_the_rules(staff, admin_user, merchant):
    unpaid, paid = placed_order(merchant=merchant), placed_order(merchant=merchant)
    bearer_client(merchant.user).post(payment_url(paid), {"payment_status": "paid"}, format="json")
    selection = {"action": "set_payment_status", "_selected_action": [str(unpaid.pk), str(paid.pk)]}

    form = staff.post(CHANGELIST, selection)
    assert 'name="payment_status"' in form.content.decode()

    done = staff.post(
        CHANGELIST,
        {**selection, "apply": "1", "payment_status": "refunded", "reference": "RF-7"},
        follow=True,
    )

    messages = [str(m) for m in done.context["messages"]]
    assert any("1 order(s) now refunded" in m for m in messages)
    assert any(unpaid.order_number in m and "only a paid order can be refunded" in m for m in messages)
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert (unpaid.payment_status, paid.payment_status) == ("unpaid", "refunded")
    event = OrderEvent.objects.filter(order=paid).last()
    assert event.source == "admin" and event.actor == admin_user
    assert payment_history(paid)[-1] == ("refunded", "RF-7", "")

    page = staff.get(f"{CHANGELIST}{paid.pk}/change/").content.decode()
    assert "RF-7" in page and "Payment and delivery estimate history" in page
    assert 'name="payment_status"' not in page  # shown, never edited directly
    assert staff.get(CHANGELIST, {"payment_status__exact": "refunded"}).status_code == 200

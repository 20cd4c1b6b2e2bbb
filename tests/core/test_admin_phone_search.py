"""An operator types a customer's number as they hear it (0712345678, 712345678, +254712345678) into the
orders, notifications or users admin search and finds the same rows."""

import pytest

from notifications.models import Notification
from orders.models import Order
from tests.factories import CustomerFactory, placed_order

pytestmark = pytest.mark.django_db
SPELLINGS = ["0712345678", "712345678", "+254712345678", "0712 345 678"]


def found(client, url, term) -> set[str]:
    response = client.get(url, {"q": term})
    assert response.status_code == 200
    return {str(obj.pk) for obj in response.context["cl"].result_list}


@pytest.mark.parametrize("term", SPELLINGS)
def test_every_spelling_of_a_number_finds_the_order_its_messages_and_the_customer(
    admin_session, merchant, term
):
    order = placed_order(merchant=merchant)
    Order.objects.filter(pk=order.pk).update(phone_number="+254712345678")
    placed_order(merchant=merchant)  # +254712000111
    sms = Notification.objects.create(channel="sms", recipient="+254712345678", template="t", status="failed")
    Notification.objects.create(channel="sms", recipient="+254712000111", template="t", status="failed")
    customer = CustomerFactory(phone_number="+254712345678")
    CustomerFactory(phone_number="+254733000000")

    assert found(admin_session, "/admin/orders/order/", term) == {str(order.pk)}
    assert found(admin_session, "/admin/notifications/notification/", term) == {str(sms.pk)}
    assert found(admin_session, "/admin/accounts/user/", term) == {str(customer.pk)}


def test_terms_that_are_not_phone_numbers_search_as_before(admin_session, merchant):
    order = placed_order(merchant=merchant)
    assert found(admin_session, "/admin/orders/order/", order.order_number.lower()) == {str(order.pk)}
    assert found(admin_session, "/admin/orders/order/", "12000111") == {
        str(order.pk)
    }  # part of the stored number
    assert found(admin_session, "/admin/orders/order/", "12345") == set()

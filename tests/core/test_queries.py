"""`PrimaryKeyLookup` loads a row exactly as the ORM's `.get(pk=...)` does, with one query."""

import uuid

import pytest
from django.utils import timezone

from accounts.models import User
from core.queries import PrimaryKeyLookup
from orders.models import Order
from tests.conftest import bearer_client
from tests.factories import CustomerFactory, MerchantFactory, ProductFactory, order_body

pytestmark = pytest.mark.django_db


def assert_same_instance(loaded, expected):
    assert type(loaded) is type(expected)
    assert loaded._state.adding is False and loaded._state.db == "default"
    for field in type(expected)._meta.concrete_fields:
        ours, theirs = getattr(loaded, field.attname), getattr(expected, field.attname)
        assert ours == theirs, field.attname
        assert type(ours) is type(theirs), field.attname


def test_a_user_loads_as_the_orm_loads_it(django_assert_num_queries):
    user = CustomerFactory(first_name="Wanjiru", last_login=timezone.now(), is_active=False)
    lookup = PrimaryKeyLookup(User)

    with django_assert_num_queries(1):
        loaded = lookup.get(user.pk)

    assert_same_instance(loaded, User.objects.get(pk=user.pk))
    assert str(loaded.phone_number) == str(user.phone_number)  # the custom field's from_db_value ran
    assert loaded.is_active is False
    assert lookup.get(str(user.pk)).pk == user.pk  # the key as the token carries it: text


def test_an_order_with_decimals_and_a_phone_number_loads_as_the_orm_loads_it():
    merchant = MerchantFactory()
    client = bearer_client(CustomerFactory())
    placed = client.post("/api/v1/orders/", order_body((ProductFactory(merchant=merchant, price="12.50"), 2)))
    assert placed.status_code == 201

    loaded = PrimaryKeyLookup(Order).get(placed.json()["id"])

    assert_same_instance(loaded, Order.objects.get(pk=placed.json()["id"]))
    assert str(loaded.total_amount) == "25.00"


@pytest.mark.parametrize("key", [uuid.uuid4(), "not-a-uuid", "", None])
def test_a_missing_or_malformed_key_is_none(key):
    CustomerFactory()
    assert PrimaryKeyLookup(User).get(key) is None


def test_update_returning_updates_what_update_would_and_returns_exactly_those_rows(django_assert_num_queries):
    from django.db.models import F

    from core.queries import update_returning

    ours = [CustomerFactory(first_name="Amina") for _ in range(3)] + [CustomerFactory(first_name="Baraka")]
    theirs = [CustomerFactory(first_name="Amina") for _ in range(3)] + [CustomerFactory(first_name="Baraka")]
    changes = {"last_name": "Otieno", "is_email_verified": F("is_active"), "last_login": timezone.now()}

    with django_assert_num_queries(1):
        returned = update_returning(
            User.objects.filter(pk__in=[u.pk for u in ours], first_name="Amina"), **changes
        )
    User.objects.filter(pk__in=[u.pk for u in theirs], first_name="Amina").update(**changes)

    assert sorted(u.pk for u in returned) == sorted(u.pk for u in ours[:3])  # not the row the filter left out
    for mine, plain in zip(ours[:3], theirs[:3], strict=True):  # the rows as the plain update leaves them
        reloaded, expected = User.objects.get(pk=mine.pk), User.objects.get(pk=plain.pk)
        for name in ("last_name", "is_email_verified", "last_login"):
            assert getattr(reloaded, name) == getattr(expected, name), name
    assert User.objects.get(pk=ours[3].pk).last_name == ours[3].last_name != "Otieno"  # left alone
    for row in returned:  # each returned row as the ORM loads it after the update
        assert_same_instance(row, User.objects.get(pk=row.pk))
    assert update_returning(User.objects.filter(first_name="nobody"), last_name="x") == []

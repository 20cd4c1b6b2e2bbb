"""Stored phone numbers load as self-memoizing numbers, parsed once per distinct string, never shared."""

import threading

import phonenumbers
import pytest
from django.db.models import Value
from phonenumber_field.phonenumber import PhoneNumber
from phonenumber_field.phonenumber import to_python as phonenumber_field_to_python

from accounts.models import User
from core import phone
from core.phone import ParsedPhoneNumber, phone_parse
from orders.models import Order
from tests.conftest import bearer_client
from tests.factories import CustomerFactory, KYCSubmissionFactory, placed_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def libphonenumber_parses(monkeypatch):
    """How often libphonenumber (a third-party library) is asked to parse, starting from an empty cache."""
    phone._cached_parse.cache_clear()
    calls = []
    real_parse = phonenumbers.parse

    def counting_parse(*args, **kwargs):
        calls.append(args or kwargs)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(phonenumbers, "parse", counting_parse)
    yield calls
    phone._cached_parse.cache_clear()


def _same_fields(a: phonenumbers.PhoneNumber, b: phonenumbers.PhoneNumber) -> bool:
    # libphonenumber's own equality compares every field (phonenumber-field's compares only the formatted number)
    return phonenumbers.PhoneNumber.__eq__(a, b)


def test_a_loaded_user_has_the_valid_phone_number_they_saved():
    user = CustomerFactory(phone_number="+254712345678")

    loaded = User.objects.get(pk=user.pk).phone_number

    assert isinstance(loaded, ParsedPhoneNumber)
    assert loaded.is_valid()
    assert loaded == "+254712345678"
    assert str(loaded) == "+254712345678"
    assert loaded.as_international == "+254 712 345678"
    assert User.objects.filter(phone_number="0712345678").get() == user


def test_a_loaded_order_has_the_phone_number_it_was_placed_with():
    order = placed_order()

    loaded = Order.objects.get(pk=order.pk).phone_number

    assert isinstance(loaded, ParsedPhoneNumber)
    assert loaded.is_valid()
    assert loaded == "+254712000111"


def test_a_kyc_submission_keeps_its_contact_phone():
    submission = KYCSubmissionFactory(contact_phone="+254712345678")

    loaded = type(submission).objects.get(pk=submission.pk).contact_phone

    assert isinstance(loaded, ParsedPhoneNumber)
    assert loaded == "+254712345678"


def test_two_loaded_users_never_share_a_number():
    user = CustomerFactory(phone_number="+254712345678")
    first = User.objects.get(pk=user.pk)
    second = User.objects.get(pk=user.pk)
    assert first.phone_number is not second.phone_number

    first.phone_number.national_number = 722000000

    assert str(first.phone_number) == "+254722000000"
    assert str(second.phone_number) == "+254712345678"
    assert str(User.objects.get(pk=user.pk).phone_number) == "+254712345678"


def test_a_saved_change_to_a_loaded_number_is_stored():
    user = CustomerFactory(phone_number="+254712345678")
    loaded = User.objects.get(pk=user.pk)

    loaded.phone_number.national_number = 722000000
    loaded.save()

    assert User.objects.values_list("phone_number", flat=True).get(pk=user.pk) == "+254722000000"


def test_a_blank_phone_stays_blank():
    user = CustomerFactory(phone_number="")

    loaded = User.objects.get(pk=user.pk)

    assert loaded.phone_number == ""
    assert not isinstance(loaded.phone_number, PhoneNumber)
    loaded.phone_number = None
    assert loaded.phone_number is None


@pytest.mark.parametrize("stored", ["not a phone", "+2541", "0712345678", "+254 712-345-678"])
def test_a_stored_string_loads_as_phonenumber_field_loads_it(stored):
    """Rows written before normalisation (or by hand) read back exactly as phonenumber-field reads them."""
    user = CustomerFactory()
    User.objects.filter(pk=user.pk).update(phone_number=Value(stored))
    expected = phonenumber_field_to_python(stored)

    loaded = User.objects.get(pk=user.pk).phone_number

    assert isinstance(loaded, ParsedPhoneNumber)
    assert _same_fields(loaded, expected)
    assert loaded.is_valid() == expected.is_valid()
    assert str(loaded) == str(expected)
    assert loaded.raw_input == stored


@pytest.mark.parametrize(
    "value", ["+254712345678", "0712345678", "not a phone", "", None, phonenumbers.parse("+254712345678")]
)
def test_assigning_a_phone_gives_what_phonenumber_field_gives(value):
    user = User(email="someone@example.com")
    expected = phonenumber_field_to_python(value, region="KE")

    user.phone_number = value

    if isinstance(expected, PhoneNumber):
        assert isinstance(user.phone_number, PhoneNumber)
        assert _same_fields(user.phone_number, expected)
        assert str(user.phone_number) == str(expected)
    else:
        assert user.phone_number == expected


def test_loading_the_same_number_again_and_again_parses_it_once(libphonenumber_parses):
    user = CustomerFactory(phone_number="+254712345678")
    libphonenumber_parses.clear()
    phone._cached_parse.cache_clear()

    numbers = [User.objects.get(pk=user.pk).phone_number for _ in range(5)]

    assert len(libphonenumber_parses) == 1
    assert len({id(number) for number in numbers}) == 5
    assert all(number == "+254712345678" for number in numbers)


def test_an_order_list_parses_each_distinct_number_once(libphonenumber_parses):
    customer = CustomerFactory()
    for _ in range(4):
        placed_order(customer=customer)
    libphonenumber_parses.clear()
    phone._cached_parse.cache_clear()

    orders = list(Order.objects.filter(customer=customer))

    assert len(orders) == 4
    assert len(libphonenumber_parses) == 1
    assert all(order.phone_number == "+254712000111" for order in orders)


def test_authenticated_requests_do_not_parse_the_users_phone_each_time(libphonenumber_parses):
    user = CustomerFactory(phone_number="+254712345678")
    client = bearer_client(user)
    libphonenumber_parses.clear()
    phone._cached_parse.cache_clear()

    answers = [client.get("/api/v1/auth/me/") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert {answer.json()["phone_number"] for answer in answers} == {"+254712345678"}
    assert len(libphonenumber_parses) == 1


def test_concurrent_callers_each_get_their_own_number():
    results = []

    def parse_many():
        results.extend(phone_parse("+254712345678") for _ in range(200))

    threads = [threading.Thread(target=parse_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 800
    assert len({id(number) for number in results}) == 800
    assert all(str(number) == "+254712345678" and number.is_valid() for number in results)

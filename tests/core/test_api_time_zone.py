"""People see TIME_ZONE (Africa/Nairobi by default): emails, the admin, pages. The API speaks UTC whatever it is."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils.formats import date_format

from tests.factories import placed_order

pytestmark = pytest.mark.django_db


def test_api_timestamps_are_utc_and_naive_filters_are_read_as_utc(customer, customer_client, settings):
    assert settings.TIME_ZONE == "Africa/Nairobi"
    order = placed_order(customer=customer)

    body = customer_client.get(f"/api/v1/orders/{order.pk}/").json()
    timeline = customer_client.get(f"/api/v1/orders/{order.pk}/tracking/").json()

    assert body["created_at"].endswith("Z") and timeline[0]["occurred_at"].endswith("Z")
    # A minute from now, without an offset: read as UTC, so the order (placed before it) is left out; read as
    # Nairobi time it would be three hours ago and include it.
    soon = (datetime.now(UTC) + timedelta(minutes=1)).replace(tzinfo=None).isoformat()
    listed = customer_client.get("/api/v1/orders/", {"created_after": soon}).json()
    assert listed["count"] == 0


def test_the_django_admin_shows_local_time(client, admin_user):
    order = placed_order()
    client.force_login(admin_user)
    page = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    nairobi = order.created_at.astimezone(ZoneInfo("Africa/Nairobi"))
    assert date_format(nairobi, "DATETIME_FORMAT") in page

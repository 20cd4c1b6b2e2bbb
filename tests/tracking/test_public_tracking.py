"""Anyone holding a tracking code sees the order's progress, and nothing personal."""

import pytest

from tests.factories import order_moved_to, placed_order

pytestmark = pytest.mark.django_db
PERSONAL = ("+254712000111", "254712000111", "Moi Avenue", "@example.com")


@pytest.fixture
def shipped(merchant, customer):
    order = order_moved_to(placed_order(customer=customer, merchant=merchant), "confirmed", "processing")
    from orders.services import order_set_status

    order_set_status(order=order, status="shipped", location="Mombasa depot", note="Handed to courier")
    order.refresh_from_db()
    return order


def test_the_tracking_api_shows_status_merchant_and_timeline_only(api_client, shipped, merchant):
    response = api_client.get(f"/api/v1/track/{shipped.tracking_code}/")

    assert response.status_code == 200
    body = response.json()
    contract_1_1 = {"estimated_delivery", "merchant_contact"}
    assert set(body) == {"order_number", "status", "merchant", "events", *contract_1_1}
    assert body["order_number"] == shipped.order_number
    assert body["status"] == "shipped"
    assert body["merchant"] == merchant.company_name
    assert [e["status"] for e in body["events"]] == ["pending", "confirmed", "processing", "shipped"]
    assert set(body["events"][0]) == {"status", "location", "note", "occurred_at"}
    assert body["events"][-1]["location"] == "Mombasa depot"
    assert not any(value in response.content.decode() for value in PERSONAL)


def test_a_tracking_code_typed_in_lower_case_still_works(api_client, shipped):
    assert api_client.get(f"/api/v1/track/{shipped.tracking_code.lower()}/").status_code == 200


def test_a_stale_token_does_not_stop_a_public_lookup(api_client, shipped):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get(f"/api/v1/track/{shipped.tracking_code}/").status_code == 200


def test_an_unknown_tracking_code_is_a_json_404(api_client):
    response = api_client.get("/api/v1/track/NOSUCHCODE99/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_tracking_page_shows_the_timeline_newest_first_without_personal_data(client, shipped, merchant):
    response = client.get(f"/track/{shipped.tracking_code}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert merchant.company_name in html
    assert shipped.order_number in html
    assert 'data-status="shipped"' in html
    positions = [
        html.index(f'class="event status-{s}') for s in ("pending", "confirmed", "processing", "shipped")
    ]
    assert positions == sorted(positions, reverse=True)
    assert "Mombasa depot" in html and "Handed to courier" in html
    # One self-contained response: nothing loaded from elsewhere, the script inline and optional.
    assert "<script src" not in html.lower() and '<link rel="stylesheet"' not in html.lower()
    assert not any(value in html for value in PERSONAL)


def test_an_unknown_code_gets_the_not_found_page(client):
    response = client.get("/track/NOSUCHCODE99/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
    assert "We could not find that order" in response.content.decode()


def test_an_unknown_page_outside_the_api_gets_the_site_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_cancelled_order_shows_no_progress_bar(client, customer):
    order = order_moved_to(placed_order(customer=customer), "cancelled")
    html = client.get(f"/track/{order.tracking_code}/").content.decode()
    assert 'class="steps"' not in html
    assert "Cancelled" in html

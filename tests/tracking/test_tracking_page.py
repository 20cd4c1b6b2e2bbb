"""The tracking page a customer opens from the SMS: what it says first, its labelled progress, local times,
what happens after a bad end, the shop's contact; and the home page's tracking-code form."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from tests.factories import order_moved_to, placed_order
from tracking.presentation import page_context

# Local time for people is TIME_ZONE (Africa/Nairobi by default); the JSON stays in UTC.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nairobi")]
NOON_UTC = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def nairobi(settings):
    settings.TIME_ZONE = "Africa/Nairobi"


def page_of(client, order) -> str:
    response = client.get(f"/track/{order.tracking_code}/")
    assert response.status_code == 200
    return response.content.decode()


def current_step(html: str) -> str:
    item = re.search(r'<li class="step current[^"]*" aria-current="step">(.*?)</li>', html, re.S)
    assert item, "no step carries aria-current"
    return re.search(r'class="step-label">([^<]+)', item[1])[1]


def test_the_page_opens_with_the_state_what_comes_next_and_labelled_steps(client, customer, merchant):
    with time_machine.travel(NOON_UTC, tick=False):
        order = order_moved_to(placed_order(customer=customer, merchant=merchant), "confirmed", "processing")
    with time_machine.travel(NOON_UTC + timedelta(hours=2, minutes=5), tick=False):
        html = page_of(client, order)

    summary = html[html.index('class="card summary') : html.index('aria-labelledby="progress-heading"')]
    assert 'data-status="processing">Processing<' in summary
    assert "<strong>Next:</strong> the shop hands your order to the courier." in summary
    assert "Last updated <span" in summary and ">2 h ago<" in summary
    # Every step has a visible label; the current one is marked for assistive technology.
    labels = re.findall(r'class="step-label">([^<]+)', html)
    assert labels == [
        "Pending",
        "Confirmed",
        "Processing",
        "Shipped",
        "In transit",
        "Out for delivery",
        "Delivered",
    ]
    assert current_step(html) == "Processing"
    assert html.count('aria-current="step"') == 1


def test_times_are_shown_in_nairobi_time_with_how_long_ago(client, customer):
    with time_machine.travel(NOON_UTC, tick=False):
        order = placed_order(customer=customer)
    with time_machine.travel(NOON_UTC + timedelta(minutes=7), tick=False):
        html = page_of(client, order)

    assert "Mon 2 Mar 2026, 15:00 EAT" in html  # 12:00 UTC
    assert '<time datetime="2026-03-02T12:00:00+00:00">' in html
    assert client.get(f"/api/v1/track/{order.tracking_code}/").json()["events"][0]["occurred_at"] == (
        "2026-03-02T12:00:00Z"
    )
    assert ">7 min ago<" in html


def test_a_failed_delivery_says_what_happens_next_in_the_warning_colour(client, failed_delivery, merchant):
    html = page_of(client, failed_delivery)

    assert 'class="card summary tone-warn"' in html
    assert "The courier could not deliver your order. Contact " + merchant.company_name in html
    assert "<strong>Next:</strong> the courier tries again" in html
    assert current_step(html) == "Out for delivery"
    assert '<li class="step current tone-warn" aria-current="step">' in html
    assert 'class="event status-delivery_failed tone-warn latest"' in html


@pytest.mark.parametrize("end", ["cancelled", "returned"])
def test_bad_ends_are_red_everywhere_and_say_what_happens_now(client, customer, merchant, end):
    path = (
        ("cancelled",)
        if end == "cancelled"
        else (
            "confirmed",
            "processing",
            "shipped",
            "in_transit",
            "out_for_delivery",
            "delivery_failed",
            "returned",
        )
    )
    order = order_moved_to(placed_order(customer=customer, merchant=merchant), *path)

    html = page_of(client, order)

    assert 'class="card summary tone-bad"' in html and 'class="status tone-bad"' in html
    assert f'class="event status-{end} tone-bad latest"' in html
    assert 'class="steps"' not in html and "Next:" not in html
    outcome = re.search(r'<p class="outcome tone-bad" id="outcome">([^<]+)</p>', html)[1]
    assert merchant.company_name in outcome
    assert "refund" in outcome


def test_the_timeline_is_newest_first_and_the_latest_entry_is_marked(client, customer):
    order = order_moved_to(placed_order(customer=customer), "confirmed")
    html = page_of(client, order)
    assert re.findall(r'<li class="event status-(\w+)', html) == ["confirmed", "pending"]
    assert 'class="event status-confirmed tone-ok latest"' in html


def test_the_page_costs_two_queries_however_long_the_timeline(client, customer):
    order = order_moved_to(placed_order(customer=customer), "confirmed", "processing", "shipped")
    with CaptureQueriesContext(connection) as queries:
        page_of(client, order)
    assert len(queries) == 2  # the order with its merchant, then its events


def test_without_a_shop_contact_the_page_says_how_to_reach_the_shop(client, customer, merchant):
    html = page_of(client, placed_order(customer=customer, merchant=merchant))
    assert f"Contact {merchant.company_name} through the shop, site or app you ordered from" in html


def test_the_estimate_and_the_shops_contact_show_when_the_tracking_json_has_them(rf):
    """Rendered from whatever the public JSON carries: an estimate (a date or a moment) and a contact."""
    data = {
        "order_number": "OT-00000042",
        "status": "shipped",
        "merchant": "Duka La Mama",
        "events": [{"status": "shipped", "location": "", "note": "", "occurred_at": "2026-03-02T12:00:00Z"}],
        "estimated_delivery": "2026-03-04",
        "merchant_contact": {"email": "help@duka.example", "phone": "+254711000999"},
    }
    context = page_context(data, now=NOON_UTC)
    html = render_to_string(
        "tracking/order.html", {**context, "version": "v", "stream_url": "/s/"}, rf.get("/")
    )

    assert 'Estimated delivery: <strong><time datetime="2026-03-04">Wed 4 Mar 2026</time></strong>' in html
    assert "(in 2 d)" in html
    assert '<a href="tel:+254711000999">+254711000999</a>' in html
    assert '<a href="mailto:help@duka.example">help@duka.example</a>' in html

    exact = page_context({**data, "estimated_delivery": "2026-03-03T09:00:00Z"}, now=NOON_UTC)
    assert exact["estimated_delivery"]["text"] == "Tue 3 Mar 2026, 12:00 EAT"
    assert exact["estimated_delivery"]["ago"] == "in 21 h"
    delivered = page_context({**data, "status": "delivered", "merchant_contact": None}, now=NOON_UTC)
    assert delivered["estimated_delivery"] is None and delivered["contact"] == {}


def test_the_page_points_its_script_at_the_stream_with_the_version_it_shows(client, customer):
    order = placed_order(customer=customer)
    html = page_of(client, order)
    stream = b"".join(client.get(f"/api/v1/track/{order.tracking_code}/stream/").streaming_content)
    version = re.search(r"id: (\w+)", stream.decode())[1]
    assert f'data-stream="/api/v1/track/{order.tracking_code}/stream/?include=page"' in html
    assert f'data-version="{version}"' in html


def test_the_home_page_has_the_tracking_code_form(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form class="lookup" action="/track/" method="get"' in html
    assert '<label for="code">Tracking code' in html


@pytest.mark.parametrize(
    ("typed", "goes_to"),
    [
        ("k7mx3pq9wt2a", "/track/K7MX3PQ9WT2A/"),
        ("  K7MX 3PQ9 WT2A ", "/track/K7MX3PQ9WT2A/"),
        ("a/b?c", "/track/A%2FB%3FC/"),
    ],
)
def test_a_typed_code_goes_to_its_tracking_page(client, typed, goes_to):
    response = client.get("/track/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == goes_to


def test_track_alone_or_a_blank_code_shows_the_form(client):
    assert '<form class="lookup"' in client.get("/track/").content.decode()
    blank = client.get("/track/", {"code": "  "})
    assert blank.status_code == 200
    assert "Enter the tracking code from your SMS." in blank.content.decode()


def test_the_admins_view_site_link_is_the_home_page(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/admin/").content.decode()
    assert '<a href="/">View site</a>' in html
    assert client.get("/").status_code == 200

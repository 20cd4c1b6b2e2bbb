"""The order page: a status form offering only the lifecycle's moves (one notification per change), a link
to the tracking page, a timeline without id captions, no stock flag on platform orders; a notification's
page shows the text sent; a webhook delivery's page its body indented."""

import json

import pytest

from notifications.models import Notification
from orders.models import TrackingEvent
from tests.factories import external_order, order_moved_to, placed_order
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def page_of(order) -> str:
    return f"/admin/orders/order/{order.pk}/change/"


def status_options(html: str) -> list[str]:
    form = html.split('id="order-status-form"')[1].split("</form>")[0]
    return [chunk.split('"')[0] for chunk in form.split('<option value="')[1:]]


def test_the_status_form_offers_only_the_moves_the_lifecycle_allows(admin_session, merchant):
    pending = placed_order(merchant=merchant)
    out = order_moved_to(
        placed_order(merchant=merchant),
        "confirmed",
        "processing",
        "shipped",
        "in_transit",
        "out_for_delivery",
    )
    delivered = order_moved_to(out, "delivered") and None

    assert status_options(admin_session.get(page_of(pending)).content.decode()) == ["confirmed", "cancelled"]
    final = placed_order(merchant=merchant)
    order_moved_to(final, "cancelled")
    html = admin_session.get(page_of(final)).content.decode()
    assert 'id="order-status-form"' not in html and "is final" in html
    assert delivered is None


def test_changing_the_status_on_the_page_goes_through_the_service_once(admin_session, admin_user, merchant):
    order = placed_order(merchant=merchant)
    before = set(Notification.objects.filter(order=order).values_list("pk", flat=True))

    done = admin_session.post(
        f"/admin/orders/order/{order.pk}/status/",
        {"status": "confirmed", "note": "called the customer"},
        follow=True,
    )

    order.refresh_from_db()
    assert order.status == "confirmed"
    event = TrackingEvent.objects.filter(order=order).last()
    assert event.actor == admin_user
    assert [event.status, event.source, event.note] == ["confirmed", "admin", "called the customer"]
    # one message about the change on each of the customer's channels, no more
    new = Notification.objects.filter(order=order).exclude(pk__in=before)
    assert sorted(new.values_list("channel", "template")) == [
        ("email", "order_status_changed"),
        ("sms", "order_status_changed"),
    ]
    assert f"{order.order_number} moved to Confirmed." in [str(m) for m in done.context["messages"]]

    refused = admin_session.post(
        f"/admin/orders/order/{order.pk}/status/", {"status": "delivered"}, follow=True
    )
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert any("Not moved" in str(m) for m in refused.context["messages"])


def test_the_page_links_the_tracking_page_and_drops_id_captions_and_stock_flag_for_platform_orders(
    admin_session, merchant
):
    order = placed_order(merchant=merchant)
    html = admin_session.get(page_of(order)).content.decode()
    assert f'href="/track/{order.tracking_code}/"' in html
    assert "Stock restored" in html
    # the inline rows' captions are hidden by the console's stylesheet (the timeline reads by time and status)
    webhook = external_order(merchant=merchant)
    assert "Stock restored" not in admin_session.get(page_of(webhook)).content.decode()


def test_a_notification_page_shows_the_text_that_was_sent(admin_session, merchant):
    order = placed_order(merchant=merchant)
    sms = Notification.objects.filter(order=order, channel="sms").first()
    email = Notification.objects.filter(channel="email").first()

    sms_page = admin_session.get(f"/admin/notifications/notification/{sms.pk}/change/").content.decode()
    assert order.order_number in sms_page.split('class="message-text"')[1].split("</pre>")[0]
    email_page = admin_session.get(f"/admin/notifications/notification/{email.pk}/change/").content.decode()
    assert "<strong>Subject:</strong>" in email_page


def test_a_delivery_page_shows_the_body_indented_and_escaped(admin_session, merchant):
    body = json.dumps({"id": "evt_1", "data": {"note": "<script>alert(1)</script>"}})
    delivery = WebhookDelivery.objects.create(merchant=merchant, body=body, status_code=400, error_code="x")

    html = admin_session.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/").content.decode()

    shown = html.split('class="webhook-body">')[1].split("</pre>")[0]
    assert '\n  "data": {\n    "note": "&lt;script&gt;' in shown.replace("&quot;", '"')
    assert "<script>alert(1)" not in html

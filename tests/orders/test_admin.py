"""Staff manage orders in the Django admin; status changes there go through the lifecycle too."""

import pytest

from orders.models import TrackingEvent
from tests.factories import order_moved_to, placed_order

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/orders/order/"


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def test_staff_browse_orders_with_items_and_timeline(staff, merchant):
    order = order_moved_to(placed_order(merchant=merchant), "confirmed")
    listing = staff.get(CHANGELIST, {"status__exact": "confirmed"})
    assert listing.status_code == 200
    assert order.order_number in listing.content.decode()
    assert staff.get(CHANGELIST, {"source__exact": "webhook"}).status_code == 200
    assert staff.get(CHANGELIST, {"merchant__id__exact": str(merchant.pk)}).status_code == 200

    page = staff.get(f"{CHANGELIST}{order.pk}/change/").content.decode()
    assert order.items.get().sku in page
    assert "Order placed." in page
    assert f"{CHANGELIST}add/" not in page


def test_the_status_action_asks_for_the_target_and_respects_the_lifecycle(staff, admin_user, merchant):
    pending = placed_order(merchant=merchant)
    shipped = order_moved_to(placed_order(merchant=merchant), "confirmed", "processing", "shipped")
    selection = {"action": "set_status", "_selected_action": [str(pending.pk), str(shipped.pk)]}

    form = staff.post(CHANGELIST, selection)
    assert form.status_code == 200
    assert 'name="apply"' in form.content.decode()

    done = staff.post(
        CHANGELIST, {**selection, "apply": "1", "status": "confirmed", "note": "checked"}, follow=True
    )

    messages = [str(m) for m in done.context["messages"]]
    assert any("1 order(s) moved to confirmed" in m for m in messages)
    assert any(shipped.order_number in m for m in messages)
    pending.refresh_from_db()
    shipped.refresh_from_db()
    assert (pending.status, shipped.status) == ("confirmed", "shipped")
    event = TrackingEvent.objects.filter(order=pending).last()
    assert (event.status, event.source, event.actor, event.note) == (
        "confirmed",
        "admin",
        admin_user,
        "checked",
    )


def test_the_status_cannot_be_edited_directly_in_the_form(staff):
    order = placed_order()
    page = staff.get(f"{CHANGELIST}{order.pk}/change/").content.decode()
    # only the status form (its own page, the lifecycle's moves) names a status; the change form does not
    change_form = page.split('id="order_form"')[1].split("</form>")[0]
    assert 'name="status"' not in change_form
    assert 'id="order-status-form"' in page.split('id="order_form"')[0]

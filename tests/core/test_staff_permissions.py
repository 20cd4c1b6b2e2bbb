"""Least privilege for staff: every admin API endpoint needs its Django permission, the groups grant what
their role needs and nothing else, and the Django admin agrees with the API.

The endpoints are found in the URLconf, not listed by hand: an admin endpoint added later without a
permission, or without a row in ENDPOINTS below, fails here.
"""

import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from core.permissions import StaffPermission
from merchants.services import merchant_suspend
from notifications.models import Broadcast, Notification, NotificationStatus
from tests.conftest import bearer_client
from tests.factories import (
    AdminFactory,
    CustomerFactory,
    KYCSubmissionFactory,
    MerchantFactory,
    StaffFactory,
    placed_order,
)

pytestmark = pytest.mark.django_db

KYC, SUPPORT, OPERATORS = "KYC reviewers", "Support", "Operators"
GROUPS = (KYC, SUPPORT, OPERATORS)


def _pending_merchant():
    return KYCSubmissionFactory().merchant


def _suspended_merchant():
    merchant = MerchantFactory()
    merchant_suspend(merchant=merchant, suspended_by=AdminFactory(), reason="Fraud review")
    return merchant


def _failed_notification():
    return Notification.objects.create(
        channel="email",
        recipient="someone@example.com",
        template="broadcast",
        context={"message": "hello", "subject": "Hi"},
        status=NotificationStatus.FAILED,
        last_error="SMTP 451",
    )


def _broadcast():
    return Broadcast.objects.create(audience="admins", channels=["email"], message="Maintenance tonight")


def at(url: str, body=None):
    """A request to a fixed URL."""
    return lambda: (url, body)


def on(path: str, make, body=None):
    """A request to `path` with `{}` filled in by the id of an object `make()` makes for it."""
    return lambda: (path.format(make().pk), body)


MERCHANT = "/api/v1/admin/merchants/{}/"
REASON = {"reason": "Fraud review"}
BROADCAST = {"audience": "admins", "channels": ["email"], "message": "Maintenance tonight"}

# (route in the URLconf, method) -> (the groups allowed, a request made fresh for each call, the status that
# means it worked).
ADMIN = "api/v1/admin/"
ONE = ADMIN + "merchants/<uuid:merchant_id>/"
ENDPOINTS = {
    (ADMIN + "customers/", "GET"): ({SUPPORT}, at("/api/v1/admin/customers/"), 200),
    (ADMIN + "merchants/", "GET"): (set(GROUPS), at("/api/v1/admin/merchants/"), 200),
    (ONE + "kyc/approve/", "POST"): ({KYC}, on(MERCHANT + "kyc/approve/", _pending_merchant), 200),
    (ONE + "kyc/reject/", "POST"): ({KYC}, on(MERCHANT + "kyc/reject/", _pending_merchant, REASON), 200),
    (ONE + "kyc/document/", "GET"): ({KYC}, on(MERCHANT + "kyc/document/", _pending_merchant), 200),
    (ADMIN + "kyc-submissions/<uuid:submission_id>/document/", "GET"): (
        {KYC},
        on("/api/v1/admin/kyc-submissions/{}/document/", KYCSubmissionFactory),
        200,
    ),
    (ONE + "suspend/", "POST"): ({OPERATORS}, on(MERCHANT + "suspend/", MerchantFactory, REASON), 200),
    (ONE + "reactivate/", "POST"): ({OPERATORS}, on(MERCHANT + "reactivate/", _suspended_merchant), 200),
    (ADMIN + "notifications/", "GET"): ({SUPPORT}, at("/api/v1/admin/notifications/"), 200),
    (ADMIN + "notifications/<uuid:pk>/retry/", "POST"): (
        {SUPPORT},
        on("/api/v1/admin/notifications/{}/retry/", _failed_notification),
        200,
    ),
    (ADMIN + "broadcasts/", "GET"): ({OPERATORS}, at("/api/v1/admin/broadcasts/"), 200),
    (ADMIN + "broadcasts/", "POST"): ({OPERATORS}, at("/api/v1/admin/broadcasts/", BROADCAST), 202),
    (ADMIN + "broadcasts/<uuid:pk>/", "GET"): (
        {OPERATORS},
        on("/api/v1/admin/broadcasts/{}/", _broadcast),
        200,
    ),
    (ADMIN + "dashboard/", "GET"): ({SUPPORT, OPERATORS}, at("/api/v1/admin/dashboard/"), 200),
}

# Staff work outside /admin/: reading every order, moving or cancelling one, editing the category tree.
ORDER = "/api/v1/orders/{}/"
STAFF_ELSEWHERE = {
    ("orders list", "GET"): ({SUPPORT, OPERATORS}, at("/api/v1/orders/")),
    ("order tracking", "GET"): ({SUPPORT, OPERATORS}, on(ORDER + "tracking/", placed_order)),
    ("order status", "POST"): (set(), on(ORDER + "status/", placed_order, {"status": "confirmed"})),
    ("order cancel", "POST"): (set(), on(ORDER + "cancel/", placed_order, {"reason": "Asked"})),
    ("category create", "POST"): (set(), at("/api/v1/categories/", {"name": "Shoes"})),
}


def admin_api_endpoints() -> set[tuple[str, str]]:
    """Every (route, method) of the URLconf under /api/v1/admin/ that its view implements."""
    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/admin/"):
                view = getattr(pattern.callback, "cls", None) or pattern.callback.view_class
                for method in ("get", "post", "put", "patch", "delete"):
                    if hasattr(view, method):
                        found.add((route, method.upper()))

    walk(get_resolver().url_patterns, "")
    return found


def call(client, method: str, url: str, body=None):
    return (
        getattr(client, method.lower())(url, body, format="json")
        if body
        else getattr(client, method.lower())(url)
    )


def with_ids(route: str) -> str:
    """A route with each `<uuid:...>` filled in by an id that exists nowhere."""
    parts = [str(uuid.uuid4()) if part.startswith("<uuid:") else part for part in route.split("/")]
    return "/" + "/".join(parts)


def test_every_admin_endpoint_is_listed_here():
    assert admin_api_endpoints() == set(ENDPOINTS)


def test_a_staff_user_without_permissions_is_refused_everywhere():
    staff = bearer_client(StaffFactory())
    refused = {}
    for route, method in sorted(admin_api_endpoints()):
        # The permission is checked before anything is looked up: an id that exists nowhere is enough.
        response = call(staff, method, with_ids(route), {"reason": "x"} if method == "POST" else None)
        refused[(route, method)] = (response.status_code, response.json().get("code"))
    assert refused == {endpoint: (403, "permission_denied") for endpoint in ENDPOINTS}


def test_customers_merchants_and_strangers_are_refused_everywhere(api_client):
    callers = {
        "customer": (bearer_client(CustomerFactory()), 403),
        "merchant": (bearer_client(MerchantFactory().user), 403),
        "anonymous": (api_client, 401),
    }
    for name, (client, status) in callers.items():
        for route, method in admin_api_endpoints():
            response = call(client, method, with_ids(route))
            assert response.status_code == status, (name, route, method, response.json())


@pytest.mark.parametrize("group", GROUPS)
def test_each_group_may_do_its_work_and_nothing_else(group):
    client = bearer_client(StaffFactory(groups=[group]))
    outcome, expected = {}, {}
    for (route, method), (allowed, request, success) in ENDPOINTS.items():
        url, body = request()
        response = call(client, method, url, body)
        outcome[(route, method)] = (response.status_code, response.get("Content-Type", "").split(";")[0])
        if group in allowed:
            expected[(route, method)] = (success, outcome[(route, method)][1])
        else:
            expected[(route, method)] = (403, "application/json")
            assert response.json()["code"] == "permission_denied"
    assert outcome == expected


@pytest.mark.parametrize("group", GROUPS)
def test_staff_work_outside_admin_paths_needs_its_permission_too(group):
    client = bearer_client(StaffFactory(groups=[group]))
    for (name, method), (allowed, request) in STAFF_ELSEWHERE.items():
        url, body = request()
        response = call(client, method, url, body)
        if group in allowed:
            assert response.status_code == 200, (name, response.json())
        else:
            assert (response.status_code, response.json()["code"]) == (403, "permission_denied"), name


def test_a_superuser_holds_every_permission():
    client = bearer_client(AdminFactory())
    for (route, method), (_, request, success) in ENDPOINTS.items():
        url, body = request()
        assert call(client, method, url, body).status_code == success, (route, method)


def test_the_groups_hold_exactly_their_roles_permissions():
    held = {
        group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        for group in Group.objects.filter(name__in=GROUPS).prefetch_related("permissions__content_type")
    }
    assert held == {
        KYC: ["merchants.approve_kyc", "merchants.view_kycsubmission", "merchants.view_merchant"],
        SUPPORT: [
            "accounts.view_user",
            "merchants.view_merchant",
            "notifications.retry_notification",
            "notifications.view_notification",
            "orders.view_order",
            "orders.view_orderitem",
            "orders.view_trackingevent",
            "webhooks.view_webhookdelivery",
        ],
        OPERATORS: [
            "merchants.suspend_merchant",
            "merchants.view_merchant",
            "notifications.send_broadcast",
            "notifications.view_broadcast",
            "orders.view_order",
        ],
    }


# The Django admin asks the same permissions: what a group may see and do there matches the API.
ADMIN_PAGES = {
    "/admin/merchants/merchant/": set(GROUPS),
    "/admin/merchants/kycsubmission/": {KYC},
    "/admin/accounts/user/": {SUPPORT},
    "/admin/notifications/notification/": {SUPPORT},
    "/admin/notifications/broadcast/": {OPERATORS},
    "/admin/orders/order/": {SUPPORT, OPERATORS},
    "/admin/webhooks/webhookdelivery/": {SUPPORT},
}
ADMIN_ACTIONS = {
    ("/admin/merchants/merchant/", "approve_kyc"): {KYC},
    ("/admin/merchants/kycsubmission/", "approve_kyc"): {KYC},
    ("/admin/notifications/notification/", "retry_failed"): {SUPPORT},
}


@pytest.mark.parametrize("group", GROUPS)
def test_the_django_admin_agrees_with_the_api(client, group):
    KYCSubmissionFactory(), _failed_notification()  # a changelist offers its actions only over some rows
    client.force_login(StaffFactory(groups=[group]))
    for page, allowed in ADMIN_PAGES.items():
        assert client.get(page).status_code == (200 if group in allowed else 403), page
    for (page, action), allowed in ADMIN_ACTIONS.items():
        if group in ADMIN_PAGES[page]:
            offered = f'value="{action}"' in client.get(page).content.decode()
            assert offered == (group in allowed), (page, action)


def test_notifications_and_webhook_deliveries_cannot_be_deleted_in_the_admin(client):
    client.force_login(AdminFactory())
    notification = _failed_notification()
    for page in ("/admin/notifications/notification/", "/admin/webhooks/webhookdelivery/"):
        assert 'value="delete_selected"' not in client.get(page).content.decode()
    assert client.get(f"/admin/notifications/notification/{notification.pk}/delete/").status_code == 403
    assert Notification.objects.filter(pk=notification.pk).exists()


def test_a_view_that_names_no_permission_is_refused_even_to_superusers():
    class Undeclared(APIView):
        permission_classes = [StaffPermission]

        def get(self, request):
            return Response({})

    request = APIRequestFactory().get("/")
    force_authenticate(request, user=AdminFactory())
    response = Undeclared.as_view()(request)
    assert (response.status_code, response.data["code"]) == (403, "permission_denied")
    with pytest.raises(ValueError):
        StaffPermission.of("approve_kyc")  # not app_label.codename

"""Black-box contract tests: only the HTTP API of the contract (docs/API.md), as an outside client sees it.

Every response goes through `BlackBoxClient`, which fails the test on any 5xx, on a non-JSON body under
/api/, and on an error body that is not `{code, detail, errors?}`. Each request runs its on-commit
callbacks, as a real server's committed transaction would (so OTP emails and notifications happen).
"""

import base64
import json
import os
import re
import uuid
from datetime import UTC, datetime

from django.core import mail
from django.test import TestCase
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from tests.factories import TEST_PASSWORD, AdminFactory

PASSWORD = "s3cure-Passw0rd-long"
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_NON_JSON_API_PATHS = ("/api/v1/docs/",)


def _check(response, path: str):
    if response.status_code == 503 and path == "/api/v1/auth/oidc/token/":
        assert response.json()["code"] == "oidc_unavailable"  # no provider configured: not a client error
        return
    assert response.status_code < 500, f"{path} answered {response.status_code}: {response.content[:500]!r}"
    if not path.startswith("/api/") or path.startswith(_NON_JSON_API_PATHS) or response.status_code == 204:
        return
    content_type = response.get("Content-Type", "")
    if path.startswith("/api/v1/schema/") and response.status_code < 400:
        return
    if "document" in path and response.status_code < 400:
        return
    assert content_type.startswith("application/json"), f"{path}: {response.status_code} {content_type}"
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict), body
        assert {"code", "detail"} <= set(body), body
        assert isinstance(body["code"], str) and _SNAKE.match(body["code"]), body
        assert isinstance(body["detail"], str), body
        if "errors" in body:
            assert isinstance(body["errors"], dict), body


class BlackBoxClient(APIClient):
    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = super().request(**kwargs)
        if kwargs.get("REQUEST_METHOD") == "HEAD":
            assert response.status_code < 500, f"HEAD {kwargs.get('PATH_INFO')}: {response.status_code}"
        else:
            _check(response, kwargs.get("PATH_INFO", ""))
        return response


def client_for(access: str | None = None) -> BlackBoxClient:
    client = BlackBoxClient()
    if access:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def last_otp(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to:
            return re.search(r"\b(\d{6})\b", message.body).group(1)
    raise AssertionError(f"no OTP mailed to {email}")


def register(email: str, account_type: str = "customer", **extra):
    body = {"email": email, "password": PASSWORD, "account_type": account_type, **extra}
    if account_type == "merchant":
        body.setdefault("company_name", f"{email.split('@')[0].title()} Ltd")
    return client_for().post("/api/v1/auth/register/", body, format="json")


def login(email: str, password: str = PASSWORD):
    return client_for().post("/api/v1/auth/login/", {"email": email, "password": password}, format="json")


def signed_up(email: str, account_type: str = "customer", **extra) -> BlackBoxClient:
    """register -> OTP from the mailbox -> verify -> login; an authenticated client with `.user_id`."""
    assert register(email, account_type, **extra).status_code == 201
    verify = client_for().post(
        "/api/v1/auth/verify-otp/", {"email": email, "otp": last_otp(email)}, format="json"
    )
    assert verify.status_code == 200, verify.content
    response = login(email)
    assert response.status_code == 200, response.content
    client = client_for(response.json()["access"])
    client.user_id = response.json()["user"]["id"]
    client.tokens = response.json()
    return client


def admin_client_for_contract() -> BlackBoxClient:
    """The contract has no admin sign-up: the admin comes from the factory, then logs in through the API."""
    admin = AdminFactory()
    response = login(admin.email, TEST_PASSWORD)
    assert response.status_code == 200, response.content
    client = client_for(response.json()["access"])
    client.user_id = str(admin.pk)
    return client


# One small valid PNG (1x1), recognised by content.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def kyc_form(**overrides):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {
        "legal_name": "Duka Traders Limited",
        "registration_number": "PVT-2024-0001",
        "tax_id": "P051234567X",
        "country": "KE",
        "address": "Moi Avenue 1, Nairobi",
        "contact_phone": "+254712345678",
        "document": SimpleUploadedFile("kyc.pdf", PDF, content_type="application/pdf"),
    }
    form.update(overrides)
    return form


def approved_merchant(email: str, admin: BlackBoxClient) -> BlackBoxClient:
    """A merchant signed up, KYC submitted and approved by the admin, all through the API."""
    merchant = signed_up(email, "merchant")
    assert merchant.post("/api/v1/merchants/me/kyc/", kyc_form(), format="multipart").status_code == 201
    me = merchant.get("/api/v1/merchants/me/").json()
    assert admin.post(f"/api/v1/admin/merchants/{me['id']}/kyc/approve/").status_code == 200
    merchant.merchant_id = me["id"]
    return merchant


def assert_money(value):
    assert isinstance(value, str) and re.fullmatch(r"-?\d+\.\d{2}", value), value


def assert_page(body):
    assert set(body) == {"count", "next", "previous", "results"}, body
    assert isinstance(body["results"], list)


def assert_uuid(value):
    uuid.UUID(str(value))


GARBAGE_VALUES = [
    None,
    "",
    "x" * 5000,
    -1,
    0,
    10**30,
    -(10**30),
    1.5e308,
    True,
    [],
    {},
    ["a"],
    {"a": 1},
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "\x00",
    "💥",
]

BAD_IDS = ["not-a-uuid", "123", "00000000-0000-0000-0000-000000000000", "%00", "' OR 1=1 --"]


# --- webhooks ---------------------------------------------------------------------------------------


def sign(secret: str, body: str, *, msg_id: str | None = None, at: datetime | None = None) -> dict:
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(UTC)
    return {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(at.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": Webhook(secret).sign(msg_id, at, body),
    }


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def webhook_post(merchant_id, secret: str, event, **kw):
    body = event if isinstance(event, str) else json.dumps(event)
    return client_for().generic(
        "POST",
        f"/api/v1/webhooks/{merchant_id}/",
        body,
        content_type=kw.pop("content_type", "application/json"),
        **{**sign(secret, body, **kw)},
    )


def order_created(external_id="EXT-1", **data):
    payload = {
        "external_id": external_id,
        "customer": {"name": "Wanjiru Kamau", "phone": "+254712345678", "email": "wanjiru@example.com"},
        "shipping_address": "Kenyatta Ave 3, Nairobi",
        "items": [
            {"sku": "A-1", "name": "Kikoy", "quantity": 2, "unit_price": "750.00"},
            {"name": "Wrap", "quantity": 1, "unit_price": "100.5"},
        ],
        "currency": "KES",
    }
    payload.update(data)
    return {"type": "order.created", "timestamp": datetime.now(UTC).isoformat(), "data": payload}


# The fields of an order and of its lines, as the contract lists them (also asserted by tests/orders).
ORDER_FIELDS = {
    "id",
    "order_number",
    "status",
    "source",
    "external_id",
    "merchant",
    "customer_name",
    "phone_number",
    "email",
    "shipping_address",
    "items",
    "total_amount",
    "currency",
    "tracking_code",
    "created_at",
    "updated_at",
    "payment_status",
    "estimated_delivery",
    "language",
}
ITEM_FIELDS = {"product", "sku", "name", "quantity", "unit_price", "line_total"}

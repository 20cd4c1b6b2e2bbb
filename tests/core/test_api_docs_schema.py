"""Issue 17, docs: the live schema (what Swagger and Redoc render) offers one security scheme, the bearer token;
every response is described; every error answer's examples are the codes that endpoint really answers."""

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def live_schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def example_codes(operation, status: str) -> list[str]:
    examples = operation["responses"][status]["content"]["application/json"]["examples"]
    return [example["value"]["code"] for example in examples.values()]


def by_id(schema, operation_id: str) -> dict:
    return next(op for _, op in operations(schema) if op["operationId"] == operation_id)


def test_swagger_offers_one_security_scheme_the_bearer_token(live_schema):
    schemes = live_schema["components"]["securitySchemes"]
    assert list(schemes) == ["bearerAuth"]  # no cookieAuth: the session is the Django admin's only
    assert schemes["bearerAuth"]["type"] == "http"
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert "identity provider" in schemes["bearerAuth"]["description"]
    used = {name for _, op in operations(live_schema) for req in op.get("security", []) for name in req}
    assert used == {"bearerAuth"}


def test_every_response_of_every_operation_is_described(live_schema):
    undescribed = [
        f"{name} {status}"
        for name, operation in operations(live_schema)
        for status, response in operation["responses"].items()
        if not (response.get("description") or "").strip()
    ]
    assert undescribed == []


def test_every_error_answer_shows_an_example_per_code_it_names(live_schema):
    checked = 0
    for name, operation in operations(live_schema):
        for status, response in operation["responses"].items():
            if status[0] not in "45":
                continue
            codes = example_codes(operation, status)
            assert codes, f"{name} {status} has no example"
            for code in codes:
                assert f"`{code}`" in response["description"], f"{name} {status}: {code}"
            if status != "400":
                assert "validation_error" not in codes, f"{name} {status}"
            checked += 1
    assert checked > 200


def test_error_examples_are_the_codes_each_endpoint_answers(live_schema):
    status_change = by_id(live_schema, "orders_set_status")
    assert example_codes(status_change, "409") == ["invalid_transition"]
    assert example_codes(status_change, "403") == ["permission_denied", "kyc_required", "merchant_suspended"]
    assert example_codes(status_change, "404") == ["not_found"]
    assert "token_not_valid" in example_codes(status_change, "401")
    assert example_codes(status_change, "503") == ["oidc_unavailable", "service_unavailable"]

    assert example_codes(by_id(live_schema, "orders_set_payment"), "409") == ["invalid_payment_transition"]
    placing = by_id(live_schema, "orders_create")
    assert {"mixed_merchants", "product_unavailable", "invalid_idempotency_key"} <= set(
        example_codes(placing, "400")
    )
    assert example_codes(placing, "409") == ["insufficient_stock"]
    assert example_codes(by_id(live_schema, "orders_list"), "403") == ["permission_denied", "kyc_required"]

    login = by_id(live_schema, "auth_login_create")
    assert example_codes(login, "401") == ["invalid_credentials"]
    assert example_codes(login, "403") == ["email_not_verified"]
    assert example_codes(login, "429") == ["throttled"]
    assert example_codes(by_id(live_schema, "auth_verify_otp_create"), "429") == ["throttled", "otp_locked"]
    assert example_codes(by_id(live_schema, "auth_oidc_identities_create"), "409") == ["identity_in_use"]

    suspend = by_id(live_schema, "admin_merchants_suspend_create")
    assert example_codes(suspend, "409") == ["merchant_not_approved", "merchant_already_suspended"]
    assert example_codes(by_id(live_schema, "products_create"), "503") == [
        "oidc_unavailable",
        "storage_unavailable",
        "service_unavailable",
    ]
    assert example_codes(by_id(live_schema, "categories_destroy"), "409") == ["category_in_use"]
    assert example_codes(by_id(live_schema, "admin_notifications_retry"), "409") == [
        "notification_not_failed",
        "notification_outcome_unknown",
    ]


def test_the_webhook_receiver_documents_its_own_codes_only(live_schema):
    receiver = by_id(live_schema, "webhooks_receive")
    assert example_codes(receiver, "400") == ["invalid_payload"]
    assert example_codes(receiver, "401") == ["missing_headers", "stale_timestamp", "invalid_signature"]
    assert example_codes(receiver, "403") == ["merchant_inactive", "merchant_suspended"]
    assert example_codes(receiver, "404") == ["unknown_merchant", "unknown_order"]
    assert example_codes(receiver, "409") == ["invalid_transition", "invalid_payment_transition"]


def test_a_validation_example_carries_its_errors(live_schema):
    examples = by_id(live_schema, "orders_create")["responses"]["400"]["content"]["application/json"][
        "examples"
    ]
    assert examples["validation_error"]["value"]["errors"]
    assert "errors" not in examples["mixed_merchants"]["value"]

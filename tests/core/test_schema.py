"""The OpenAPI schema documents every endpoint of the contract (docs/API.md), and generates warning-free."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "API.md"
ROW = re.compile(r"^\|\s*([A-Z/]+)\s*\|\s*`(/api/v1/[^`]*)`")


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def contract_endpoints() -> list[tuple[str, str]]:
    endpoints = []
    for line in CONTRACT.read_text().splitlines():
        match = ROW.match(line)
        if match and "…" not in match.group(2):
            for method in match.group(1).split("/"):
                endpoints.append((method.lower(), _normalise(match.group(2))))
    return endpoints


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    import yaml

    target = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text())


def test_the_contract_lists_endpoints():
    assert len(contract_endpoints()) >= 35


@pytest.mark.parametrize(("method", "path"), contract_endpoints(), ids=lambda v: v)
def test_every_contract_endpoint_is_documented(schema, method, path):
    documented = {_normalise(p): ops for p, ops in schema["paths"].items()}
    assert path in documented, f"{path} is missing from the OpenAPI schema"
    operation = documented[path].get(method)
    assert operation is not None, f"{method.upper()} {path} is missing from the OpenAPI schema"
    assert operation.get("responses"), f"{method.upper()} {path} documents no responses"
    takes_no_input = path.endswith(("/approve/", "/rotate/", "/retry/", "/reactivate/"))
    if method in {"post", "put", "patch"} and not takes_no_input:
        assert "requestBody" in operation, f"{method.upper()} {path} documents no request body"


def test_every_error_answer_documents_the_uniform_error_body(schema):
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert "content" in response, f"{method.upper()} {path} {status} has no body schema"


def test_authenticated_operations_document_401_and_403(schema):
    operation = schema["paths"]["/api/v1/orders/{order_id}/status/"]["post"]
    assert {"400", "401", "403", "404", "409"} <= set(operation["responses"])


def test_every_paginated_list_documents_the_404_of_a_page_that_does_not_exist(schema):
    paginated = [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p.get("name") == "page" for p in operation.get("parameters", []))
    ]
    assert len(paginated) >= 10
    for path, method, operation in paginated:
        assert "404" in operation["responses"], f"{method.upper()} {path}"


def test_retrying_a_notification_that_did_not_fail_is_a_documented_409(schema):
    responses = schema["paths"]["/api/v1/admin/notifications/{id}/retry/"]["post"]["responses"]
    assert "notification_not_failed" in responses["409"]["description"]

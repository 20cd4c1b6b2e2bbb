"""One refusal type, one mapping to HTTP: every code answers with the one status declared beside it."""

import pytest
from django.apps import apps
from django.utils.module_loading import import_string

from core.errors import DomainCode, DomainError, ErrorCode
from core.exceptions import domain_error_answer


def all_codes() -> list[DomainCode]:
    for app in apps.get_app_configs():
        try:
            import_string(f"{app.name}.errors")  # every app's codes, imported as the code base does
        except ImportError:
            continue
    codes, pending = [], [DomainCode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        codes.extend(cls)
    return codes


def test_a_code_shared_by_two_apps_answers_the_same_status_in_both():
    statuses = {}
    for code in all_codes():
        statuses.setdefault(str(code), set()).add(code.http_status)
    assert {code: s for code, s in statuses.items() if len(s) > 1} == {}
    assert len(statuses) > 40  # the apps' codes were found, not just the shared ones


@pytest.mark.parametrize("code", all_codes(), ids=str)
def test_every_code_is_a_client_or_service_error(code):
    assert 400 <= code.http_status < 600


def test_the_answer_carries_the_code_its_status_fields_and_retry_after():
    from orders.errors import OrderError

    error = DomainError(
        OrderError.INSUFFICIENT_STOCK, "Only 2 left.", errors={"items": ["Only 2 left."]}, extra={"sku": "A"}
    )
    assert domain_error_answer(error) == (
        409,
        {
            "code": "insufficient_stock",
            "detail": "Only 2 left.",
            "errors": {"items": ["Only 2 left."]},
            "sku": "A",
        },
        {},
    )
    unavailable = DomainError(ErrorCode.SERVICE_UNAVAILABLE, "Later.", retry_after=7)
    assert domain_error_answer(unavailable) == (
        503,
        {"code": "service_unavailable", "detail": "Later."},
        {"Retry-After": "7"},
    )

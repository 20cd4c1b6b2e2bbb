"""OpenAPI post-processing: every operation documents the uniform error body for the errors it can answer,
with one example per `code` it can really answer, and every response has a description.

The codes come from two places: the ones operations share, read from the operation itself (a body or query
parameters: 400 `validation_error`; a bearer token: 401 and 403; an id in the path or a page: 404; a throttle:
429), and each app's `errors.py`, next to its error enum: `ERROR_DETAILS` (code -> what it means) and
`OPERATION_ERRORS` (operationId -> [codes], each answered with the status it is declared with). An operationId or code those name that the schema does
not have is a warning, so `manage.py spectacular --validate --fail-on-warn` catches a renamed view.
"""

import importlib
import importlib.util
import re

from django.apps import apps
from drf_spectacular.drainage import warn

from .errors import ErrorCode

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a stable snake_case `code`, a human `detail`, and `errors` for validation.",
    "properties": {
        "code": {
            "type": "string",
            "description": "Stable, snake_case: the examples list each answer's codes.",
        },
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Field name -> list of messages (nested the way the input is nested); "
            "validation errors only.",
        },
    },
    "required": ["code", "detail"],
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_BEARER_401 = [
    ErrorCode.NOT_AUTHENTICATED,
    ErrorCode.AUTHENTICATION_FAILED,
    "token_not_valid",
    "user_inactive",
    "user_not_found",
]
_STATUS_TITLES = {
    "400": "Bad request",
    "401": "Not authenticated",
    "403": "Forbidden",
    "404": "Not found",
    "409": "Conflict",
    "413": "Payload too large",
    "415": "Unsupported media type",
    "429": "Too many requests",
    "503": "Service unavailable",
}
_PAGE_NOT_FOUND = "No such page: `page` below 1 or past the last page."
_EXAMPLE_ERRORS = {"field": ["This field is required."]}


def _registries() -> tuple[dict, dict, set]:
    """Every installed app's `errors.py`: its ERROR_DETAILS, OPERATION_ERRORS, OPERATIONS_WITH_THEIR_OWN_ERRORS."""
    details, operations, own = {}, {}, set()
    for config in apps.get_app_configs():
        name = f"{config.name}.errors"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        details.update({str(code): text for code, text in getattr(module, "ERROR_DETAILS", {}).items()})
        for operation_id, codes in getattr(module, "OPERATION_ERRORS", {}).items():
            merged = operations.setdefault(operation_id, {})
            for code in codes:  # each under the status it is declared with (core.errors.DomainCode)
                merged.setdefault(str(code.http_status), []).append(str(code))
        own |= set(getattr(module, "OPERATIONS_WITH_THEIR_OWN_ERRORS", ()))
    return details, operations, own


def _views_by_operation(generator) -> dict:
    views = {}
    for path, _regex, method, view in getattr(generator, "endpoints", None) or ():
        views[(path, method.lower())] = view
    return views


def _shared_codes(path: str, method: str, operation: dict, view) -> dict[str, list[str]]:
    """The codes an operation answers because of what it is: input, credentials, an id, a page, a throttle."""
    codes: dict[str, list[str]] = {}
    security = operation.get("security") or []
    if operation.get("requestBody"):
        codes["400"] = [ErrorCode.VALIDATION_ERROR, ErrorCode.PARSE_ERROR]
    elif any(p.get("in") == "query" for p in operation.get("parameters", [])):
        codes["400"] = [ErrorCode.VALIDATION_ERROR]
    if any("bearerAuth" in requirement for requirement in security):
        codes["401"] = list(_BEARER_401)  # a public endpoint, too, answers 401 to a bad token
        if {} not in security:
            codes["403"] = [ErrorCode.PERMISSION_DENIED]
        codes["503"] = ["oidc_unavailable"]  # a provider token whose provider cannot be reached
    if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])):
        codes["404"] = [ErrorCode.NOT_FOUND]
    if getattr(getattr(view, "cls", None), "throttle_classes", None):
        codes["429"] = [ErrorCode.THROTTLED]
    return codes


def _example(code: str, detail: str) -> dict:
    value = {"code": code, "detail": detail}
    if code == ErrorCode.VALIDATION_ERROR:
        value["errors"] = _EXAMPLE_ERRORS
    return {"summary": code, "value": value}


def _describe(status: str, codes: list[str], details: dict, *, paginated_404: bool) -> str:
    lines = []
    for code in codes:
        text = _PAGE_NOT_FOUND if paginated_404 and code == ErrorCode.NOT_FOUND else details[code]
        lines.append(f"- `{code}`: {text}")
    return f"{_STATUS_TITLES.get(status, 'Error')}:\n\n" + "\n".join(lines)


def _component_words(response: dict) -> tuple[str, bool]:
    """The body's component name in words ("PaginatedWebhookDeliveryList" -> "webhook delivery", paginated)."""
    schema = (response.get("content") or {}).get("application/json", {}).get("schema", {})
    listed = schema.get("type") == "array"
    name = (schema.get("items", {}) if listed else schema).get("$ref", "").rsplit("/", 1)[-1]
    paginated = name.startswith("Paginated") and name.endswith("List")
    name = name.removeprefix("Paginated").removesuffix("List") if paginated else name
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name).lower().split()
    while words and words[-1] in {"output", "list", "created", "accepted", "me"}:
        words.pop()
    return " ".join(words), paginated or listed


def _plural(words: str) -> str:
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def _describe_success(status: str, response: dict) -> str:
    """A plain description from the body's component, for a success answer its view left undescribed."""
    words, many = _component_words(response)
    if status == "204":
        return "Done: no content."
    if status == "202":
        return "Accepted: the work goes on after this answer."
    if words in {"", "detail"}:
        return "Done: a `detail` message." if words else "OK."
    if status == "201":
        return f"Created: the new {words}."
    if many:
        paged = " (`count`, `next`, `previous`, `results`)" if "results" not in words else ""
        return (
            f"A page of {_plural(words)}{paged}."
            if "Paginated" in str(response)
            else f"The {_plural(words)}."
        )
    return f"The {words}."


def document_error_responses(result, generator, request, public):
    """Every error answer with the `Error` body and its real codes as examples; every answer described."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    details, declared, own = _registries()
    views = _views_by_operation(generator)
    seen = set()
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation_id = operation.get("operationId")
            seen.add(operation_id)
            responses = operation["responses"]
            codes = (
                {}
                if operation_id in own
                else _shared_codes(path, method, operation, views.get((path, method)))
            )
            codes = {status: [str(code) for code in listed] for status, listed in codes.items()}
            for status, extra in declared.get(operation_id, {}).items():
                codes[status] = list(dict.fromkeys([*codes.get(status, []), *extra]))
            if "503" in responses or "503" in codes:
                codes["503"] = list(
                    dict.fromkeys([*codes.get("503", []), str(ErrorCode.SERVICE_UNAVAILABLE)])
                )
            paginated = "{" not in path and any(
                p.get("name") == "page" for p in operation.get("parameters", [])
            )
            for status, status_codes in codes.items():
                unknown = [code for code in status_codes if code not in details]
                if unknown:
                    warn(f"{operation_id}: no ERROR_DETAILS entry for {unknown} (an app's errors.py)")
                    status_codes = [code for code in status_codes if code in details]
                response = responses.setdefault(status, {})
                response["description"] = _describe(status, status_codes, details, paginated_404=paginated)
                media = response.setdefault("content", {}).setdefault(
                    "application/json", {"schema": _ERROR_REF}
                )
                media["examples"] = {code: _example(code, details[code]) for code in status_codes}
            for status, response in responses.items():
                if status[0] in "45" and status not in codes:
                    warn(
                        f"{operation_id}: its {status} names no codes (OPERATION_ERRORS in the app's errors.py)"
                    )
                if status[0] in "45" and "content" not in response:
                    response["content"] = {"application/json": {"schema": _ERROR_REF}}
                if not response.get("description"):
                    response["description"] = _describe_success(status, response)
    for operation_id in declared.keys() - seen:
        warn(f"OPERATION_ERRORS names {operation_id!r}, which is not in the schema (renamed or removed?)")
    return result

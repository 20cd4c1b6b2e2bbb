"""OpenAPI post-processing: every operation documents the uniform error body for the errors it can answer."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a stable snake_case `code`, a human `detail`, and `errors` for validation.",
    "properties": {
        "code": {"type": "string", "example": "validation_error"},
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
_DEFAULT_DESCRIPTIONS = {
    "400": "`validation_error` (with `errors`), `parse_error`",
    "401": "`not_authenticated`, `authentication_failed`, `token_not_valid`, `user_inactive`, `user_not_found` "
    "or `password_changed`",
    "403": "`permission_denied`",
    "404": "`not_found`",
}
_PAGE_NOT_FOUND = "`not_found`: no such page (`page` below 1 or past the last page)"


def _add(responses: dict, status: str) -> None:
    responses.setdefault(status, {"description": _DEFAULT_DESCRIPTIONS[status]})


def document_error_responses(result, generator, request, public):
    """Add the error answers every operation can give, all with the `Error` body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            security = operation.get("security") or []
            if operation.get("requestBody") or operation.get("parameters"):
                _add(responses, "400")
            if any("bearerAuth" in requirement for requirement in security):
                _add(responses, "401")  # also a public endpoint answers 401 to a bad token
                if {} not in security:
                    _add(responses, "403")
            if "{" in path:
                _add(responses, "404")
            elif any(
                p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", [])
            ):
                responses.setdefault("404", {"description": _PAGE_NOT_FOUND})
            for status, response in responses.items():
                if status[0] in "45" and "content" not in response:
                    response["content"] = {"application/json": {"schema": _ERROR_REF}}
    return result

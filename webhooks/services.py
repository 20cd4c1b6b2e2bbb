"""Receiving a webhook: record it, verify it, deduplicate it, apply it, and record the answer.

Order of work (docs/webhooks.md): size -> media type -> merchant known -> headers -> timestamp ->
signature -> merchant's rate -> merchant active -> parse and validate -> apply in one transaction -> record.
Every verified delivery is written exactly once with its answer: inside the apply transaction when it is
applied (the row is the webhook-id's claim), on its own after any refusal or rollback. One that did not verify
may come from anyone (merchant ids are public): it is throttled per client address, and recorded small (2 KB +
hash) up to a per-merchant cap a minute, else only counted (issue 15, row 1; `_unverified_refuse`).
"""

import hashlib
import json
import math
import re
import time
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.errors import AccountError
from core.errors import DomainError, ErrorCode
from core.exceptions import domain_error_answer, error_body
from merchants.models import Merchant
from merchants.selectors import merchant_with_webhook_secrets
from orders.serializers import OrderSerializer

from .errors import WebhookError
from .events import webhook_event_apply
from .models import WebhookDelivery, WebhookRejectedDrop
from .signatures import signature_matches
from .throttles import WebhookGate, rejected_record_slot
from .validation import event_validate, invalid_payload

MAX_BODY_BYTES = 256 * 1024
UNVERIFIED_BODY_BYTES = 2 * 1024
TIMESTAMP_TOLERANCE_SECONDS = 5 * 60
MAX_WEBHOOK_ID_LENGTH = WebhookDelivery._meta.get_field("webhook_id").max_length
# Never stored: the signature proves possession of the secret; the others are credentials.
_UNRECORDED_HEADERS = frozenset({"webhook-signature", "authorization", "cookie", "proxy-authorization"})
_MAX_RECORDED_HEADERS = 64
_MAX_HEADER_VALUE = 2048
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict
    retry_after: int | None = None  # seconds, for a 429


def _storable(value):
    """Text PostgreSQL accepts: no NUL characters, no lone surrogates (JSON escapes can carry both)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def _answer_from_error(exc: DomainError) -> WebhookAnswer:
    status, body, _headers = domain_error_answer(exc)
    return WebhookAnswer(status, _storable(body))


def _media_type_ok(content_type: str) -> bool:
    media_type, *params = (part.strip() for part in content_type.split(";"))
    if media_type.lower() != "application/json":
        return False
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def _merchant_get(merchant_id: str) -> tuple[Merchant | None, list[str]]:
    """The merchant and its valid webhook secrets, in one query; (None, []) for an unknown or malformed id."""
    try:
        pk = uuid.UUID(str(merchant_id))
    except ValueError:
        return None, []
    return merchant_with_webhook_secrets(merchant_id=pk)


def _recorded_headers(headers: dict[str, str]) -> dict[str, str]:
    kept = {}
    for name, value in headers.items():
        name = name.lower()
        if name in _UNRECORDED_HEADERS:
            continue
        if len(kept) >= _MAX_RECORDED_HEADERS:
            break
        kept[_storable(name[:200])] = _storable(str(value)[:_MAX_HEADER_VALUE])
    return kept


def _delivery_new(
    *, merchant: Merchant, headers: dict[str, str], body: bytes, verified: bool
) -> WebhookDelivery:
    """The delivery's record, written once its answer is known (or, for an applied one, as its claim).

    A verified delivery keeps its body (up to the size limit); one that did not verify keeps its first
    UNVERIFIED_BODY_BYTES: anyone can send those, and 256 KB each would fill the disk (issue 15, row 1).
    """
    kept = body[: MAX_BODY_BYTES if verified else UNVERIFIED_BODY_BYTES]
    return WebhookDelivery(
        merchant=merchant,
        webhook_id=_storable(headers.get("webhook-id", ""))[:MAX_WEBHOOK_ID_LENGTH],
        headers=_recorded_headers(headers),
        body=_storable(kept.decode("utf-8", "replace")),
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_truncated=len(kept) < len(body),
    )


def _delivery_answer(*, delivery: WebhookDelivery, answer: WebhookAnswer, order_id=None) -> None:
    delivery.status_code = answer.status
    delivery.error_code = answer.body.get("code", "") if answer.status >= 300 else ""
    delivery.response_body = answer.body
    delivery.order_id = order_id
    if delivery._state.adding:
        delivery.save(force_insert=True)
    else:
        delivery.save(update_fields=["status_code", "error_code", "response_body", "order"])


def _signature_headers(headers: dict[str, str]) -> tuple[str, str, str]:
    msg_id, timestamp, signature = (
        headers.get(name, "").strip() for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    )
    missing = [
        name
        for name, value in (
            ("webhook-id", msg_id),
            ("webhook-timestamp", timestamp),
            ("webhook-signature", signature),
        )
        if not value
    ]
    if missing:
        raise DomainError(WebhookError.MISSING_HEADERS, f"Missing headers: {', '.join(missing)}.")
    if len(msg_id) > MAX_WEBHOOK_ID_LENGTH:
        raise DomainError(
            WebhookError.MISSING_HEADERS,
            f"webhook-id must be at most {MAX_WEBHOOK_ID_LENGTH} characters.",
        )
    if not _TIMESTAMP.fullmatch(timestamp):
        raise DomainError(WebhookError.MISSING_HEADERS, "webhook-timestamp must be a Unix time in seconds.")
    return msg_id, timestamp, signature


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _event_parse(*, body: bytes, delivery: WebhookDelivery) -> dict:
    """Parse and validate the body; records the event type on the delivery as soon as it is known."""
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise invalid_payload({"body": ["The body is not UTF-8."]}) from None
    except (ValueError, RecursionError) as exc:
        raise invalid_payload({"body": [f"Malformed JSON: {exc}"[:300]]}) from None
    if not isinstance(payload, dict):
        raise invalid_payload({"body": ["Expected a JSON object."]})
    if isinstance(payload.get("type"), str):
        delivery.event_type = _storable(payload["type"])[
            : WebhookDelivery._meta.get_field("event_type").max_length
        ]
    return event_validate(payload)


def _first_answer(*, delivery: WebhookDelivery) -> WebhookDelivery | None:
    return WebhookDelivery.objects.filter(
        merchant_id=delivery.merchant_id, webhook_id=delivery.webhook_id, applied=True
    ).first()


def _event_apply_once(*, merchant: Merchant, delivery: WebhookDelivery, event: dict) -> WebhookAnswer:
    """Apply the event and record the answer atomically, at most once per webhook-id.

    The transaction's first write is the delivery itself with applied=True: a concurrent copy of the
    same message waits on the unique index, then fails on it instead of applying the event twice. When
    the event is refused the transaction rolls back and the caller records the delivery as rejected.
    """
    try:
        with transaction.atomic():
            delivery.applied = True
            delivery.save(force_insert=True)
            status, order = webhook_event_apply(merchant=merchant, event=event)
            # JSON-native as built (no render/parse round trip): the same body is stored for duplicates and sent
            # back now.
            answer = WebhookAnswer(status, OrderSerializer().to_representation(order))
            _delivery_answer(delivery=delivery, answer=answer, order_id=order.pk)
        return answer
    except BaseException as exc:
        # Rolled back: the row is gone, the instance must be inserted afresh as not applied.
        delivery.applied = False
        delivery._state.adding = True
        if not isinstance(exc, IntegrityError):
            raise
        first = _first_answer(delivery=delivery)
        if first is None:
            raise
    # The same message was applied before (or just now, by a concurrent copy): its first answer, as a 200.
    answer = WebhookAnswer(200, first.response_body)
    _delivery_answer(delivery=delivery, answer=answer, order_id=first.order_id)
    return answer


def _delivery_authenticate(*, secrets: list[str], headers: dict, body: bytes) -> None:
    """Raise the 401 answer unless the headers are complete, the timestamp fresh and a signature verifies."""
    msg_id, timestamp, signature = _signature_headers(headers)
    if abs(time.time() - int(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS:
        raise DomainError(
            WebhookError.STALE_TIMESTAMP,
            "webhook-timestamp is more than 5 minutes away from our clock.",
        )
    if not signature_matches(
        secrets=secrets, msg_id=msg_id, timestamp=timestamp, body=body, header=signature
    ):
        raise DomainError(
            WebhookError.INVALID_SIGNATURE,
            "No webhook-signature matches this merchant's secrets.",
        )


def _delivery_process(*, merchant: Merchant, delivery: WebhookDelivery, body: bytes):
    """A verified delivery: the merchant must be active, the payload valid; then it is applied once."""
    if merchant.is_suspended:
        raise DomainError(AccountError.MERCHANT_SUSPENDED, "The merchant's account is suspended.")
    if not merchant.is_active:
        raise DomainError(WebhookError.MERCHANT_INACTIVE, "The merchant's account is not active (KYC).")
    event = _event_parse(body=body, delivery=delivery)
    return _event_apply_once(merchant=merchant, delivery=delivery, event=event)


def _throttled(wait: float) -> WebhookAnswer:
    wait = max(1, math.ceil(wait))
    body = error_body(ErrorCode.THROTTLED, f"Request was throttled. Expected available in {wait} seconds.")
    return WebhookAnswer(429, body, retry_after=wait)


def _rejected_drop_count(*, merchant: Merchant) -> None:
    """One more unverified delivery answered but not recorded this minute (one UPDATE, an INSERT once a minute)."""
    minute = timezone.now().replace(second=0, microsecond=0)
    drops = WebhookRejectedDrop.objects.filter(merchant=merchant, minute=minute)
    if drops.update(dropped=F("dropped") + 1):
        return
    try:
        with transaction.atomic():
            WebhookRejectedDrop.objects.create(merchant=merchant, minute=minute, dropped=1)
    except IntegrityError:  # a concurrent request created the minute's row
        drops.update(dropped=F("dropped") + 1)


def _unverified_refuse(
    *, merchant: Merchant | None, headers: dict[str, str], body: bytes, error: DomainError, gate: WebhookGate
) -> WebhookAnswer:
    """Answer a delivery that did not verify, at a bounded cost (issue 15, row 1).

    Its sender has not shown the secret, so it may be anyone: it never touches the merchant's bucket. An
    address over its failure budget gets 429 and costs nothing more; otherwise the failure is charged to the
    address, and the delivery is recorded (2 KB of body + its hash) while the merchant's per-minute cap allows,
    else only counted in WebhookRejectedDrop.
    """
    wait = gate.address_blocked()
    if wait is not None:
        return _throttled(wait)
    gate.address_failed()
    answer = _answer_from_error(error)
    if merchant is None:
        return answer
    if not rejected_record_slot(merchant_id=merchant.pk):
        _rejected_drop_count(merchant=merchant)
        return answer
    delivery = _delivery_new(merchant=merchant, headers=headers, body=body, verified=False)
    _delivery_answer(delivery=delivery, answer=answer)
    return answer


def _early_error(*, headers: dict[str, str], body: bytes) -> DomainError | None:
    if len(body) > MAX_BODY_BYTES:
        return DomainError(WebhookError.PAYLOAD_TOO_LARGE, f"The body is over {MAX_BODY_BYTES} bytes.")
    if not _media_type_ok(headers.get("content-type", "")):
        return DomainError(WebhookError.UNSUPPORTED_MEDIA_TYPE, "Send the event as application/json (UTF-8).")
    return None


def webhook_receive(
    *, merchant_id: str, headers: dict[str, str], body: bytes, gate: WebhookGate
) -> WebhookAnswer:
    """Handle one inbound delivery and return the answer.

    `headers` have lower-cased names; `body` is what was read of the request, at most MAX_BODY_BYTES + 1
    bytes (one byte more than allowed is enough to know it is too large). A delivery that verified (headers,
    fresh timestamp, signature) is recorded in full, throttled by the merchant's rate (`gate`); one that did
    not is answered and recorded as `_unverified_refuse` says.
    """
    merchant, secrets = _merchant_get(merchant_id)
    error = _early_error(headers=headers, body=body)
    if merchant is None:
        error = error or DomainError(WebhookError.UNKNOWN_MERCHANT, "No such merchant.")
    elif error is None:
        try:
            _delivery_authenticate(secrets=secrets, headers=headers, body=body)
        except DomainError as exc:
            error = exc
    if error is not None:
        return _unverified_refuse(merchant=merchant, headers=headers, body=body, error=error, gate=gate)

    delivery = _delivery_new(merchant=merchant, headers=headers, body=body, verified=True)
    wait = gate.merchant_admit()
    if wait is not None:
        # Recorded: the merchant sees in its log that (and when) its own platform was told to slow down.
        answer = _throttled(wait)
        _delivery_answer(delivery=delivery, answer=answer)
        return answer
    try:
        return _delivery_process(merchant=merchant, delivery=delivery, body=body)
    except DomainError as exc:
        answer = _answer_from_error(exc)
        _delivery_answer(delivery=delivery, answer=answer)
        return answer
    except Exception:
        _delivery_answer(
            delivery=delivery,
            answer=WebhookAnswer(500, error_body("server_error", "A server error occurred.")),
        )
        raise

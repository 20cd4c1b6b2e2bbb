"""Standard Webhooks signatures: `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.

https://www.standardwebhooks.com/ — the key is the base64-decoded part of a `whsec_…` secret.
"""

import base64
import binascii
import hashlib
import hmac
import logging
from collections.abc import Iterable

from merchants.signing_secrets import WEBHOOK_SECRET_PREFIX

logger = logging.getLogger(__name__)

# A sender lists one signature per secret it signs with; more than this is not a sender, it is a probe.
MAX_SIGNATURES = 16


def secret_key(secret: str) -> bytes | None:
    """The HMAC key of a `whsec_…` secret (unpadded base64 accepted, as the reference library does)."""
    encoded = secret.removeprefix(WEBHOOK_SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "==")
    except (binascii.Error, ValueError):
        return None
    return key or None


def _header_bytes(value: str) -> bytes:
    # WSGI hands header values over decoded as latin-1; encoding back gives the bytes that were sent.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace")


def signature_compute(*, key: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    signed = _header_bytes(msg_id) + b"." + _header_bytes(timestamp) + b"." + body
    return hmac.new(key, signed, hashlib.sha256).digest()


def signature_sign(*, secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The `webhook-signature` header value a sender would send (used by the docs and the benchmark)."""
    key = secret_key(secret)
    if key is None:
        raise ValueError("not a valid whsec_ secret")
    digest = signature_compute(key=key, msg_id=msg_id, timestamp=timestamp, body=body)
    return "v1," + base64.b64encode(digest).decode("ascii")


def _listed_signatures(header: str) -> list[bytes]:
    signatures = []
    for entry in header.split()[:MAX_SIGNATURES]:
        version, _, encoded = entry.partition(",")
        if version != "v1" or not encoded:
            continue
        try:
            signatures.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    return signatures


def signature_matches(
    *, secrets: Iterable[str], msg_id: str, timestamp: str, body: bytes, header: str
) -> bool:
    """True when any `v1` signature listed in `header` is the HMAC of the message under any of `secrets`.

    Every comparison is constant-time and every pair is compared (no early exit that would tell
    which secret or which listed signature came close).
    """
    listed = _listed_signatures(header)
    if not listed:
        return False
    matched = False
    for secret in secrets:
        key = secret_key(secret)
        if key is None:
            logger.error("A webhook secret of this merchant is not valid base64; it is skipped.")
            continue
        expected = signature_compute(key=key, msg_id=msg_id, timestamp=timestamp, body=body)
        for candidate in listed:
            matched |= hmac.compare_digest(expected, candidate)
    return matched

"""The format of a webhook signing secret (Standard Webhooks): `whsec_` + base64 of 32 random bytes.

Free of Django on purpose: the signature check (`webhooks.signatures`) and the benchmarks that sign
requests import it without loading the apps.
"""

import base64
import secrets

WEBHOOK_SECRET_PREFIX = "whsec_"
WEBHOOK_SECRET_KEY_BYTES = 32


def webhook_secret_value_new() -> str:
    """A fresh secret value; its HMAC key is the base64-decoded part after the prefix."""
    key = secrets.token_bytes(WEBHOOK_SECRET_KEY_BYTES)
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(key).decode("ascii")

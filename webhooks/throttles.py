"""Webhook throttles (issue 15, row 1): a merchant's bucket counts only deliveries that verified; failures are
counted per client address and, for recording, per merchant. All counters live in the shared cache, which fails
open (core/cache.py): with Redis down nothing is throttled and every refusal is recorded (each at most 2 KB)."""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class WebhookMerchantThrottle(SimpleRateThrottle):
    """Per merchant (the URL's merchant id): scope `webhook`, rate `THROTTLE_WEBHOOK`.

    Asked only once a delivery's signature has verified, so nobody without the secret can spend it.
    """

    scope = "webhook"

    def get_rate(self):
        # Read at request time, not import time, so a changed setting takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        try:
            ident = uuid.UUID(str(view.kwargs.get("merchant_id", ""))).hex
        except ValueError:
            return None  # verified deliveries always name a merchant
        return self.cache_format % {"scope": self.scope, "ident": ident}


class WebhookAddressFailureThrottle(SimpleRateThrottle):
    """Per client address (TRUSTED_PROXY_COUNT): deliveries that failed verification, scope `webhook_failure_ip`.

    Unlike a DRF throttle it is not charged by every request: `blocked()` only looks, `failed()` charges.
    """

    scope = "webhook_failure_ip"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request, view) -> bool:
        if self.rate is None:
            return False
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return True

    def blocked(self, request, view) -> float | None:
        """Seconds to wait when this address has used up its failures, else None."""
        if not self._load(request, view) or len(self.history) < self.num_requests:
            return None
        return self.wait() or 1

    def failed(self, request, view) -> None:
        if self._load(request, view):
            self.history.insert(0, self.now)
            self.cache.set(self.key, self.history, self.duration)


class WebhookGate:
    """The throttles of one request, handed to the service so it can ask them at the right step."""

    def __init__(self, request, view):
        self.request, self.view = request, view
        self._address = WebhookAddressFailureThrottle()

    def address_blocked(self) -> float | None:
        return self._address.blocked(self.request, self.view)

    def address_failed(self) -> None:
        self._address.failed(self.request, self.view)

    def merchant_admit(self) -> float | None:
        """None when a verified delivery is within the merchant's rate, else the seconds to wait."""
        throttle = WebhookMerchantThrottle()
        if throttle.allow_request(self.request, self.view):
            return None
        return throttle.wait() or 1


def rejected_record_slot(*, merchant_id) -> bool:
    """Whether one more unverified delivery of this merchant may be recorded this minute.

    At most WEBHOOK_REJECTED_RECORD_LIMIT_PER_MINUTE per merchant per clock minute; an atomic counter in the
    cache. With the cache unavailable the answer is yes (fail open): rows stay small, only their number grows.
    """
    minute = int(time.time() // 60)
    key = f"webhook_rejected:{uuid.UUID(str(merchant_id)).hex}:{minute}"
    try:
        count = cache.incr(key)
    except ValueError:
        if cache.add(key, 1, 120):
            count = 1
        else:
            try:
                count = cache.incr(key)  # another process created it in between
            except ValueError:
                return True  # the cache is unavailable
    return count <= settings.WEBHOOK_REJECTED_RECORD_LIMIT_PER_MINUTE

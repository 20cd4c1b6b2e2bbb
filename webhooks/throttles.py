import uuid

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class WebhookMerchantThrottle(SimpleRateThrottle):
    """Per merchant (the URL's merchant id), whoever sends: scope `webhook`, rate `THROTTLE_WEBHOOK`."""

    scope = "webhook"

    def get_rate(self):
        # Read at request time, not import time, so a changed setting takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        try:
            ident = uuid.UUID(str(view.kwargs.get("merchant_id", ""))).hex
        except ValueError:
            ident = (
                "malformed"  # ids that name no merchant share one bucket; the raw text never becomes a key
            )
        return self.cache_format % {"scope": self.scope, "ident": ident}

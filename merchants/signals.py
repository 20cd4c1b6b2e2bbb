"""Events the merchants app emits; other apps (notifications) listen."""

from django.dispatch import Signal

# sender=Merchant; kwargs: merchant, submission, approved (bool), reason (str)
kyc_decided = Signal()

# sender=Merchant; kwargs: merchant, suspended (bool: suspended now, or reactivated), reason (str, "" on reactivation)
merchant_suspension_changed = Signal()

"""Events the accounts app emits; other apps (notifications) listen."""

from django.dispatch import Signal

# sender=User; kwargs: user, code (the plain OTP, to be emailed; never stored or logged)
otp_issued = Signal()
# sender=Merchant; kwargs: merchant, submission, approved (bool), reason (str)
kyc_decided = Signal()

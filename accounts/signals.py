"""Events the accounts app emits; other apps (notifications) listen."""

from django.dispatch import Signal

# sender=User; kwargs: user, code (the plain OTP, to be emailed; never stored or logged)
otp_issued = Signal()
# sender=Merchant; kwargs: merchant, submission, approved (bool), reason (str)
kyc_decided = Signal()
# sender=User; kwargs: user (an existing account someone just tried to register again with its email)
registration_attempted = Signal()
# sender=User; kwargs: user, code (the plain password-reset code, to be emailed; never stored or logged)
password_reset_requested = Signal()

"""Events the accounts app emits; other apps (notifications, merchants) listen."""

from django.dispatch import Signal

# sender=User; kwargs: user, code (the plain OTP, to be emailed; never stored or logged)
otp_issued = Signal()
# sender=User; kwargs: user, company_name (str, merchant accounts only). Sent inside the registration's
# transaction: what a receiver writes (the merchant's `Merchant` row) commits or rolls back with the user.
user_registered = Signal()
# sender=User; kwargs: user (an existing account someone just tried to register again with its email)
registration_attempted = Signal()
# sender=User; kwargs: user, code (the plain password-reset code, to be emailed; never stored or logged)
password_reset_requested = Signal()

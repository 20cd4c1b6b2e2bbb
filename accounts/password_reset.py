"""Password reset by an emailed 6-digit code (the same rules as verification codes, `one_time_codes`).

The request answers 202 whatever the email and does its work in a task after the response; only a known,
active account is emailed. Confirming sets the new password and revokes every refresh token of the user.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from core.errors import DomainError, ErrorCode

from . import refresh_tokens
from .models import CodePurpose, User
from .one_time_codes import code_issue, code_redeem, code_requested
from .signals import password_reset_requested


def password_reset_request_fulfil(*, email: str) -> None:
    """The work behind `tasks.password_reset_request`: a fresh code, emailed, for a known active account."""
    code_requested(email=email, purpose=CodePurpose.PASSWORD_RESET)
    user = User.objects.by_email(email).filter(is_active=True).first()
    if user is None:
        return
    with transaction.atomic():
        code = code_issue(user=user, purpose=CodePurpose.PASSWORD_RESET)
        password_reset_requested.send(sender=User, user=user, code=code)


def password_reset_confirm(*, email: str, code: str, new_password: str) -> User:
    """Check the code, set the new password and sign the user out everywhere.

    The password rules are checked only once the code is right (they look at the account's names, which a
    stranger must not learn from them); a weak password leaves the code usable for another try.
    """

    def reset(user: User) -> None:
        try:
            password_validation.validate_password(new_password, user=user)
        except DjangoValidationError as exc:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, "Invalid input.", errors={"new_password": list(exc.messages)}
            ) from exc
        user.set_password(new_password)
        # The code came to this address: the address is proven, as a verification code proves it.
        user.is_email_verified = True
        user.save(update_fields=["password", "is_email_verified"])
        refresh_tokens.refresh_tokens_revoke_all(user=user, because="password_reset")

    return code_redeem(email=email, code=code, purpose=CodePurpose.PASSWORD_RESET, then=reset)

import unicodedata

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError


def email_canonical(email: str) -> str:
    """The form two addresses must not share: NFKC-normalised and case-folded (`ſ` is `s`, `Ａ` is `a`).

    Every lookup of an account by the email someone typed, every per-email throttle key and the uniqueness
    of accounts go through this, so look-alike spellings that the database or a mail server would treat as
    the same address can neither dodge a throttle nor open a second account.
    """
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def validate_email_canonical_length(value: str) -> None:
    """NFKC can lengthen a string; the canonical form must still fit its column."""
    if isinstance(value, str) and len(email_canonical(value)) > 254:
        raise ValidationError("Enter a valid email address.", code="invalid")


class UserManager(BaseUserManager):
    """Users log in with their email; there is no username."""

    use_in_migrations = True

    def by_email(self, email: str):
        """The account (a queryset of zero or one) whose email is canonically `email`."""
        return self.filter(email_canonical=email_canonical(email))

    def get_by_natural_key(self, username):
        # The login form, the admin and `createsuperuser` find accounts by canonical email.
        return self.get(email_canonical=email_canonical(username))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_email_verified", True)
        return self._create_user(email, password, **extra_fields)

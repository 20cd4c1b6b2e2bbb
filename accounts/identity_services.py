"""Writes on external identities: a provider's (`iss`, `sub`) signs in as one of our users, bound on first sight.

First sight links to an existing account only through an email the provider says it verified; otherwise a new
customer is created, so an unverified claim can never open (or squat) someone else's account.
"""

import hashlib

from django.db import IntegrityError, transaction

from core.errors import DomainError

from .errors import AccountError
from .models import AccountType, ExternalIdentity, User

# Users created from a token without a verified email get an address here: the column is unique and required,
# and the reserved `.invalid` TLD (RFC 2606) can never be anyone's real mailbox nor be "verified" by a provider.
NO_EMAIL_DOMAIN = "no-email.invalid"


def claims_verified_email(claims: dict) -> str:
    """The lowercased email when the provider says it verified it, else ""."""
    email = claims.get("email")
    verified = claims.get("email_verified", False)
    if isinstance(verified, str):  # a few providers send "true"
        verified = verified.strip().lower() == "true"
    if verified is not True or not isinstance(email, str) or "@" not in email:
        return ""
    email = email.strip().lower()
    return "" if email.endswith("@" + NO_EMAIL_DOMAIN) else email


def _placeholder_email(*, issuer: str, subject: str) -> str:
    # Derived from the identity, so two concurrent first sign-ins collide on the unique email, not duplicate.
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:32]
    return f"{digest}@{NO_EMAIL_DOMAIN}"


def _name(claims: dict, key: str) -> str:
    value = claims.get(key)
    return value.strip()[:150] if isinstance(value, str) else ""


def _user_for_first_sight(*, issuer: str, subject: str, claims: dict) -> User:
    email = claims_verified_email(claims)
    if email:
        # Canonical match: PostgreSQL's case-insensitive match would take `amına@` for `amina@` (issue 15).
        existing = User.objects.by_email(email).first()
        if existing is not None:
            if not existing.is_email_verified:
                # Whoever registered this email without verifying it may not be its owner: their password
                # must not open the account the real owner now signs into.
                existing.is_email_verified = True
                existing.set_unusable_password()
                existing.save(update_fields=["is_email_verified", "password"])
            return existing
    return User.objects.create_user(
        email=email or _placeholder_email(issuer=issuer, subject=subject),
        account_type=AccountType.CUSTOMER,
        first_name=_name(claims, "given_name"),
        last_name=_name(claims, "family_name"),
        is_email_verified=bool(email),
    )


def external_identity_sign_in(*, issuer: str, subject: str, claims: dict) -> User:
    """The user bound to (`issuer`, `subject`); on first sight linked by verified email or created a customer."""
    for attempt in (1, 2):
        identity = (
            ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
        )
        if identity is not None:
            return identity.user
        try:
            with transaction.atomic():
                user = _user_for_first_sight(issuer=issuer, subject=subject, claims=claims)
                ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject)
            return user
        except IntegrityError:
            if attempt == 2:
                raise
            # A concurrent first sign-in created the user or the binding: the second pass reads what it wrote.


def external_identity_bind(*, user: User, issuer: str, subject: str) -> tuple[ExternalIdentity, bool]:
    """Bind a provider identity to a signed-in user (any role); (identity, created). 409 if someone else has it."""
    for attempt in (1, 2):
        identity = ExternalIdentity.objects.filter(issuer=issuer, subject=subject).first()
        if identity is not None:
            if identity.user_id != user.pk:
                raise DomainError(
                    AccountError.IDENTITY_IN_USE,
                    "This provider account already signs in to another account.",
                )
            return identity, False
        try:
            with transaction.atomic():
                return ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject), True
        except IntegrityError:
            if attempt == 2:
                raise

"""Users (customers, merchants, staff), email codes, refresh token families and the identity-provider
accounts users sign in with; a merchant's business is `merchants.Merchant`."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.postgres.indexes import OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from core.languages import Language
from core.phone import ParsedPhoneNumberModelField
from core.postgres_indexes import TrigramIndex

from .managers import UserManager, email_canonical, validate_email_canonical_length


class AccountType(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    MERCHANT = "merchant", "Merchant"


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True, validators=[validate_email_canonical_length])
    # Derived from `email` on every save (see `email_canonical`): the unique key accounts are found by.
    email_canonical = models.CharField(max_length=254, unique=True, editable=False)
    account_type = models.CharField(max_length=16, choices=AccountType.choices, default=AccountType.CUSTOMER)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone_number = ParsedPhoneNumberModelField(blank=True)
    default_shipping_address = models.TextField(blank=True)
    # The language messages about the user's orders are written in; blank: DEFAULT_LANGUAGE.
    language = models.CharField(max_length=2, choices=Language.choices, blank=True)
    is_email_verified = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["-date_joined"]
        indexes = [
            # 200,000 customers (issue 18): the admin lists newest first, and their search (icontains on
            # email, names and phone) through trigrams, PostgreSQL only.
            models.Index(fields=["-date_joined", "-id"], name="user_newest"),
            TrigramIndex(
                OpClass(Upper("email"), name="gin_trgm_ops"),
                OpClass(Upper("first_name"), name="gin_trgm_ops"),
                OpClass(Upper("last_name"), name="gin_trgm_ops"),
                OpClass(Upper("phone_number"), name="gin_trgm_ops"),
                name="user_search_trigram",
            ),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        # The admin's forms validate `email` alone; a look-alike of another account's address is taken too.
        taken = User.objects.by_email(self.email).exclude(pk=self.pk)
        if self.email and taken.exists():
            raise ValidationError({"email": "An account with this email address already exists."})

    def save(self, *args, **kwargs):
        self.email_canonical = email_canonical(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_canonical"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_customer(self) -> bool:
        return self.account_type == AccountType.CUSTOMER and not self.is_staff

    @property
    def is_merchant(self) -> bool:
        return self.account_type == AccountType.MERCHANT

    @property
    def role(self) -> str:
        return "admin" if self.is_staff else self.account_type


class CodePurpose(models.TextChoices):
    VERIFY_EMAIL = "verify_email", "Email verification"
    PASSWORD_RESET = "password_reset", "Password reset"


class EmailOTP(models.Model):
    """A one-time code sent by email. Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="otps")
    # A user may hold one pending code per purpose; a code only ever works for its own purpose.
    purpose = models.CharField(max_length=16, choices=CodePurpose.choices, default=CodePurpose.VERIFY_EMAIL)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"OTP for {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class ExternalIdentity(models.Model):
    """An identity provider's account (`iss`, `sub`) that signs in as one of our users.

    The pair, not the email, is what a provider vouches for forever: emails change and can be unverified.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "external identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique_subject"),
        ]

    def __str__(self):
        return f"{self.issuer} {self.subject}"


class RefreshTokenFamily(models.Model):
    """Every refresh token rotated, one from the other, out of one sign-in. Each token names its family in
    a claim; presenting a token that was already rotated away revokes the family (OAuth 2.0 Security BCP)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_token_families"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name_plural = "refresh token families"
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self):
        return f"Refresh tokens of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"

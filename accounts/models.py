"""Users (customers, merchants, staff), email OTPs and the identity-provider accounts users sign in with;
a merchant's business is `merchants.Merchant`."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from core.phone import ParsedPhoneNumberModelField

from .managers import UserManager


class AccountType(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    MERCHANT = "merchant", "Merchant"


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    account_type = models.CharField(max_length=16, choices=AccountType.choices, default=AccountType.CUSTOMER)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone_number = ParsedPhoneNumberModelField(blank=True)
    default_shipping_address = models.TextField(blank=True)
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
            GinIndex(
                OpClass(Upper("email"), name="gin_trgm_ops"),
                OpClass(Upper("first_name"), name="gin_trgm_ops"),
                OpClass(Upper("last_name"), name="gin_trgm_ops"),
                OpClass(Upper("phone_number"), name="gin_trgm_ops"),
                name="user_search_trigram",
            ),
        ]

    def __str__(self):
        return self.email

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


class EmailOTP(models.Model):
    """A one-time code sent by email. Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="otps")
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

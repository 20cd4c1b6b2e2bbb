"""Reads on accounts."""

from django.db.models import QuerySet

from .models import AccountType, User


def customer_list() -> QuerySet[User]:
    """Customer accounts (not merchants, not staff), newest first."""
    return User.objects.filter(account_type=AccountType.CUSTOMER, is_staff=False).order_by("-date_joined")

"""factory-boy factories for the core entities; apps add their own beside their tests."""

from decimal import Decimal
from importlib import import_module

import factory
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import AccountType, User
from catalog.models import Category, Product
from merchants.models import KYCStatus, Merchant

TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone_number = factory.Sequence(lambda n: f"+2547{n % 100000000:08d}")
    is_email_verified = True
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CustomerFactory(UserFactory):
    account_type = AccountType.CUSTOMER


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    is_staff = True
    is_superuser = True


class StaffFactory(UserFactory):
    """A staff user holding only what its groups grant: `StaffFactory(groups=["KYC reviewers"])`."""

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create and extracted:
            names = list(extracted)
            if Group.objects.filter(name__in=names).count() < len(names):
                # A transactional test's flush empties what data migrations made: make the groups again.
                import_module("core.migrations.0001_staff_groups").staff_groups_create(django_apps, "default")
            found = list(Group.objects.filter(name__in=names))
            assert len(found) == len(names), f"no such group among {names}"
            obj.groups.add(*found)


class MerchantUserFactory(UserFactory):
    email = factory.Sequence(lambda n: f"merchant{n}@example.com")
    account_type = AccountType.MERCHANT


class MerchantFactory(factory.django.DjangoModelFactory):
    """An approved, active merchant. Use `MerchantFactory(pending=True)` for one awaiting KYC."""

    class Meta:
        model = Merchant

    class Params:
        pending = factory.Trait(kyc_status=KYCStatus.NOT_SUBMITTED, is_active=False, activated_at=None)

    user = factory.SubFactory(MerchantUserFactory)
    company_name = factory.Sequence(lambda n: f"Shop {n} Ltd")
    kyc_status = KYCStatus.APPROVED
    is_active = True
    activated_at = factory.LazyFunction(timezone.now)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    parent = None


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    category = factory.SubFactory(CategoryFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    price = Decimal("100.00")
    currency = "KES"
    stock = 10
    low_stock_threshold = 2

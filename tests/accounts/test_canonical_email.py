"""Issue 15, row 5: Unicode look-alikes of an address (`ſ` for `s`, `ı` for `i`) neither dodge the per-email
throttles nor reach someone else's account; accounts are unique on the canonical (NFKC + casefold) email."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.managers import email_canonical
from accounts.models import EmailOTP, User
from tests.factories import TEST_PASSWORD, CustomerFactory

MIGRATION = ("accounts", "0006_user_email_canonical")


def test_the_canonical_form_folds_case_and_compatibility_characters():
    assert email_canonical(" Amisa@Example.COM ") == "amisa@example.com"
    assert email_canonical("amiſa@example.com") == "amisa@example.com"  # LATIN SMALL LETTER LONG S
    assert email_canonical("ＡＭＩＳＡ@example.com") == "amisa@example.com"  # fullwidth
    assert email_canonical("straße@example.com") == "strasse@example.com"
    # Dotless ı is a letter of its own (Turkish), not an `i`: it names another address, not this account.
    assert email_canonical("amına@example.com") != "amina@example.com"


@pytest.mark.django_db
def test_after_a_429_look_alike_spellings_get_no_more_codes(api_client, django_capture_on_commit_callbacks):
    """The attack: after a 429, `ſ`/`ı` variants got three more codes sent and verified the account."""
    user = CustomerFactory(email="sasha@example.com", is_email_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            api_client.post("/api/v1/auth/request-otp/", {"email": "sasha@example.com"}).status_code
            for _ in range(3)
        ]
        assert answers == [200, 200, 200]
        for variant in ("ſasha@example.com", "SAſHA@example.com", "ＳＡＳＨＡ@example.com"):
            response = api_client.post("/api/v1/auth/request-otp/", {"email": variant})
            assert response.status_code == 429, variant
            assert response.json()["code"] == "throttled"
        # A different letter is a different (unknown) address: answered, but nothing is sent to the account.
        assert api_client.post("/api/v1/auth/request-otp/", {"email": "sasha@examplе.com"}).status_code == 200
    assert len(mail.outbox) == 3
    assert EmailOTP.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_a_dotless_i_variant_cannot_verify_or_sign_in_to_the_account(
    api_client, django_capture_on_commit_callbacks
):
    user = CustomerFactory(email="amina@example.com", is_email_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/request-otp/", {"email": "amina@example.com"})
    code = mail.outbox[-1].body.split("is ")[1][:6]

    response = api_client.post("/api/v1/auth/verify-otp/", {"email": "amına@example.com", "otp": code})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_otp"
    user.refresh_from_db()
    assert user.is_email_verified is False
    login = api_client.post("/api/v1/auth/login/", {"email": "amına@example.com", "password": TEST_PASSWORD})
    assert login.status_code == 401


@pytest.mark.django_db
def test_logging_in_with_the_same_address_spelt_otherwise_reaches_the_one_account(api_client):
    CustomerFactory(email="sasha@example.com")
    for spelling in ("SASHA@example.com", "ſasha@example.com"):
        response = api_client.post("/api/v1/auth/login/", {"email": spelling, "password": TEST_PASSWORD})
        assert response.status_code == 200, spelling
        assert response.json()["user"]["email"] == "sasha@example.com"


@pytest.mark.django_db
def test_per_email_login_throttle_counts_every_spelling_of_the_address(api_client):
    CustomerFactory(email="sasha@example.com")
    spellings = ["sasha@example.com", "ſasha@example.com", "SAſHA@EXAMPLE.COM"]
    answers = [
        api_client.post("/api/v1/auth/login/", {"email": spellings[i % 3], "password": "wrong"}).status_code
        for i in range(11)
    ]
    assert answers == [401] * 10 + [429]


@pytest.mark.django_db
def test_registering_a_look_alike_of_a_taken_email_makes_no_second_account(
    api_client, django_capture_on_commit_callbacks
):
    CustomerFactory(email="sasha@example.com")
    body = {
        "email": "ſasha@example.com",
        "password": "a-long-and-unusual-passphrase-42",
        "account_type": "customer",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/auth/register/", body)
    assert response.status_code == 201
    assert User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["sasha@example.com"]]  # the owner is told, at the real address


@pytest.mark.django_db
def test_the_database_refuses_two_accounts_with_one_canonical_email():
    CustomerFactory(email="sasha@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="ſasha@example.com", password="x")


@pytest.mark.django_db
def test_the_admin_form_refuses_a_look_alike_of_a_taken_email():
    CustomerFactory(email="sasha@example.com")
    with pytest.raises(ValidationError) as raised:
        User(email="ſasha@example.com").full_clean(exclude=["password"])
    assert "email" in raised.value.message_dict


@pytest.mark.django_db
def test_changing_the_email_updates_its_canonical_form():
    user = CustomerFactory(email="old@example.com")
    user.email = "New@Example.com"
    user.save(update_fields=["email"])
    assert User.objects.by_email("new@example.com").get() == user


@pytest.mark.django_db(transaction=True)
def test_the_migration_stops_on_existing_clashes_and_names_them_instead_of_merging():
    executor = MigrationExecutor(connection)
    before = executor.loader.graph.node_map[MIGRATION].parents
    executor.migrate([parent.key for parent in before])
    old = MigrationExecutor(connection).loader.project_state([parent.key for parent in before]).apps
    OldUser = old.get_model("accounts", "User")
    first = OldUser.objects.create(email="sasha@example.com", password="x")
    second = OldUser.objects.create(email="ſasha@example.com", password="x")
    OldUser.objects.create(email="other@example.com", password="x")

    with pytest.raises(RuntimeError) as raised:
        MigrationExecutor(connection).migrate([MIGRATION])
    message = str(raised.value)
    assert "'sasha@example.com'" in message and str(first.pk) in message
    assert "'ſasha@example.com'" in message and str(second.pk) in message
    assert "other@example.com" not in message
    assert "never merged" in message
    assert OldUser.objects.count() == 3  # nothing changed

    OldUser.objects.filter(pk=second.pk).update(email="sasha.two@example.com")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert User.objects.by_email("SASHA@example.com").get().pk == first.pk
    assert User.objects.by_email("sasha.two@example.com").exists()

"""Staff manage users (email login, no username) from the Django admin."""

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def test_user_pages_render(staff, admin_user):
    assert staff.get("/admin/accounts/user/").status_code == 200
    assert staff.get(f"/admin/accounts/user/{admin_user.pk}/change/").status_code == 200
    assert staff.get("/admin/accounts/user/add/").status_code == 200
    assert staff.get("/admin/accounts/emailotp/").status_code == 200


def test_staff_create_a_user_by_email(staff):
    response = staff.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.person@example.com",
            "account_type": "customer",
            "usable_password": "true",
            "password1": "a-Long-unusual-passphrase-42",
            "password2": "a-Long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="new.person@example.com").check_password("a-Long-unusual-passphrase-42")

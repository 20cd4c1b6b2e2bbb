"""Fixtures of the merchants tests."""

import pytest

from tests.factories import StaffFactory


@pytest.fixture
def staff_in(client):
    """`staff_in("Operators")`: the test client, signed in to the Django admin as a staff user of those groups."""

    def sign_in(*groups):
        client.force_login(StaffFactory(groups=list(groups)))
        return client

    return sign_in


from tests.core.s3 import s3_server, s3_storages  # noqa: F401, E402 (fixtures)

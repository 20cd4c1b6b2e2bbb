"""Fixtures of the black-box contract tests (helpers live in `tests.contract.blackbox`)."""

import pytest

from tests.contract.blackbox import admin_client_for_contract, client_for


@pytest.fixture
def anon():
    return client_for()


@pytest.fixture
def admin(db):
    return admin_client_for_contract()

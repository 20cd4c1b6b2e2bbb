"""PostgreSQL connections bind parameters on the server and prepare repeated queries; an operator behind an
old PgBouncer can turn preparing (or binding) off with DB_PREPARE_THRESHOLD / DB_SERVER_SIDE_BINDING."""

import subprocess

import pytest
from django.db import connection

from accounts.models import User
from tests.core.newcomer import manage, newcomer_env
from tests.factories import CustomerFactory

_SHOW_OPTIONS = (
    "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; "
    "print(o['server_side_binding'], o['prepare_threshold'])"
)


def _options(**env_overrides: str) -> subprocess.CompletedProcess:
    """The database OPTIONS a process started with only these settings gets (no .env, nothing inherited)."""
    env = newcomer_env(DATABASE_URL="postgres://ordertrail:pw@db.internal:5432/ordertrail", **env_overrides)
    return manage("shell", "--verbosity", "0", "-c", _SHOW_OPTIONS, env=env)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ["True", "5"]),
        ({"DB_SERVER_SIDE_BINDING": "", "DB_PREPARE_THRESHOLD": "none"}, ["True", "None"]),
        ({"DB_PREPARE_THRESHOLD": ""}, ["True", "None"]),
        ({"DB_SERVER_SIDE_BINDING": "0", "DB_PREPARE_THRESHOLD": "0"}, ["False", "0"]),
    ],
    ids=["defaults", "prepare-none", "prepare-blank", "binding-off"],
)
def test_database_options_follow_the_environment(overrides, expected):
    result = _options(**overrides)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


def test_a_prepare_threshold_that_is_not_a_number_refuses_to_start():
    result = _options(DB_PREPARE_THRESHOLD="often")

    assert result.returncode != 0
    assert "DB_PREPARE_THRESHOLD must be a whole number or 'none', not 'often'" in result.stderr


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_query_repeated_on_one_connection_gets_prepared_and_still_answers_right():
    users = CustomerFactory.create_batch(7)

    found = [User.objects.get(email=user.email).pk for user in users]

    assert found == [user.pk for user in users]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ['%"email" = $1%']
        )
        prepared = cursor.fetchall()
    assert len(prepared) == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_prepared_query_is_planned_for_each_run_s_values_never_with_a_generic_plan():
    # PostgreSQL tries a generic plan for a prepared statement after five runs; for a search or a skewed
    # filter that plan can be a sequential scan (docs/scale.md: a 3 ms search took 270 ms).
    users = CustomerFactory.create_batch(12)

    found = [User.objects.get(email=user.email).pk for user in users]

    assert found == [user.pk for user in users]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"email" = $1%'],
        )
        generic, custom = cursor.fetchone()
    assert generic == 0
    assert custom >= 6  # the runs after it was prepared, each planned for its own email

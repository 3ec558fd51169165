"""Prepared statements reach PostgreSQL (the settings are tested in test_database_pool.py)."""

import pytest
from django.db import connection

from portal import env
from portal.models import User

pytestmark = pytest.mark.django_db


def test_a_statement_run_often_is_prepared_once_on_postgres():
    """The setting reaches the connection: after the threshold, PostgreSQL holds the statement
    prepared (pg_prepared_statements lists the session's prepared statements)."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL setting")
    for _ in range(env.DB_PREPARE_THRESHOLD + 1):
        User.objects.filter(username="nobody-at-all").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"portal_user"' in statement and "nobody" not in statement for statement in prepared)

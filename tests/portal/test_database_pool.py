"""PostgreSQL through psycopg's connection pool: the settings, and a restart of the database
between two requests that the second request survives."""

import urllib.request

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql.base import DatabaseWrapper
from psycopg_pool import ConnectionPool

from portal import env
from portal.settings import base
from tests.clusters import WebNode, manage, needs_postgres

pytestmark = pytest.mark.db_independent


def test_postgres_url_uses_the_pool_with_health_checks_and_no_persistent_connections():
    database = base._database_from_url("postgres://tekigo:pw@db.example:5433/tekigo")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.example",
        "5433",
        "tekigo",
    )
    assert database["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    assert database["CONN_HEALTH_CHECKS"] is True
    pool = database["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (2, 10, 10)


def test_the_pool_checks_each_connection_before_handing_it_out():
    settings_dict = {
        **base._database_from_url("postgres://tekigo@127.0.0.1:1/tekigo"),
        "TIME_ZONE": None,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
    }
    wrapper = DatabaseWrapper(settings_dict, alias="pool-settings-test")
    try:
        # Built, not opened: no connection is made to port 1.
        assert wrapper.pool._check == ConnectionPool.check_connection
        assert (wrapper.pool.min_size, wrapper.pool.max_size) == (2, 10)
    finally:
        DatabaseWrapper._connection_pools.pop("pool-settings-test", None)


def test_pool_sizes_come_from_the_environment(monkeypatch):
    monkeypatch.setattr(env, "DB_POOL_MIN_SIZE", 1)
    monkeypatch.setattr(env, "DB_POOL_MAX_SIZE", 4)
    monkeypatch.setattr(env, "DB_POOL_TIMEOUT", 3)

    pool = base._database_from_url("postgresql://tekigo@127.0.0.1/tekigo")["OPTIONS"]["pool"]

    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (1, 4, 3)


@pytest.mark.parametrize(("low", "high"), [(5, 2), (-1, 3), (0, 0)])
def test_impossible_pool_sizes_are_refused_with_their_names(monkeypatch, low, high):
    monkeypatch.setattr(env, "DB_POOL_MIN_SIZE", low)
    monkeypatch.setattr(env, "DB_POOL_MAX_SIZE", high)

    with pytest.raises(ImproperlyConfigured, match="DB_POOL_MIN_SIZE and DB_POOL_MAX_SIZE"):
        base._database_from_url("postgres://tekigo@127.0.0.1/tekigo")


def test_postgres_prepares_statements_from_the_threshold_in_the_environment(monkeypatch):
    url = "postgres://tekigo@127.0.0.1/tekigo"
    options = base._database_from_url(url)["OPTIONS"]
    assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 5)

    monkeypatch.setattr(env, "DB_PREPARE_THRESHOLD", 2)
    assert base._database_from_url(url)["OPTIONS"]["prepare_threshold"] == 2

    # 0: off, as a pooler in transaction mode requires; Django then binds on the client.
    monkeypatch.setattr(env, "DB_PREPARE_THRESHOLD", 0)
    options = base._database_from_url(url)["OPTIONS"]
    assert "server_side_binding" not in options and "prepare_threshold" not in options

    monkeypatch.setattr(env, "DB_PREPARE_THRESHOLD", -1)
    with pytest.raises(ImproperlyConfigured, match="DB_PREPARE_THRESHOLD"):
        base._database_from_url(url)


def test_sqlite_has_no_pool():
    assert "pool" not in base._database_from_url(None).get("OPTIONS", {})
    assert "pool" not in base._database_from_url("sqlite:////tmp/x.sqlite3").get("OPTIONS", {})


def _status(url: str) -> int:
    # A session cookie makes the page load the session row: a real query on a pooled connection.
    request = urllib.request.Request(url, headers={"Cookie": "sessionid=no-such-session"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
@needs_postgres
def test_a_request_after_a_postgres_restart_is_answered(postgres, tmp_path):
    environment = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": postgres.url,
        "TEKIGO_TEST_DB": "",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DB_POOL_MIN_SIZE": "1",
        "DB_POOL_MAX_SIZE": "2",
    }
    manage(environment, "migrate", "-v", "0")
    node = WebNode(environment, tmp_path / "web.log")
    node.start()
    try:
        login = f"{node.url}/accounts/login/"
        assert _status(login) == 200

        postgres.restart()  # every pooled connection is now dead

        assert _status(login) == 200, (tmp_path / "web.log").read_text()[-3000:]
    finally:
        node.stop()

"""/livez answers without touching dependencies; /readyz (and /healthz) check database, broker and
storage, and give up on a dead broker within a fraction of a second."""

import socket
from unittest import mock

import pytest

from portal.celery import app

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def dead_redis():
    saved = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    yield
    app.conf.broker_url = saved


def test_livez_answers_without_touching_any_dependency(
    client, dead_redis, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("url", ["/readyz", "/healthz"])
def test_readyz_reports_a_dead_broker_with_a_short_timeout(client, settings, dead_redis, url):
    import redis

    assert settings.HEALTH_BROKER_TIMEOUT <= 0.5
    with mock.patch.object(redis.Redis, "from_url", wraps=redis.Redis.from_url) as connect:
        response = client.get(url)
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "broker": "error: ConnectionError",
        "storage": "ok",
    }
    options = connect.call_args.kwargs
    assert options["socket_connect_timeout"] == options["socket_timeout"] == 0.5


def test_readyz_is_ready_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ok"

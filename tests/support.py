"""Real services for integration tests (redis-server and a Celery worker on 127.0.0.1), a process
under the production settings, and what a test asks of the running interpreter."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


#: The least a process needs to start under the production settings, which insist on their
#: secrets (the signing key is named, not read, at start).
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "example.com",
    "REPORT_SIGNING_KEY": "/run/secrets/signing.pem",
    "REPORT_SIGNING_CERT": "/run/secrets/signing.pem",
}


def run_with_production_settings(
    code: str, *, environ: dict[str, str] | None = None, **extra: str
) -> subprocess.CompletedProcess:
    """``python -c code`` in the project folder under the production settings, with
    ``environ`` (this process's environment by default) plus ``PRODUCTION_ENV`` and ``extra``.

    Example: ``run_with_production_settings("import django; django.setup()").returncode == 0``.
    """
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**(os.environ if environ is None else environ), **PRODUCTION_ENV, **extra},
        timeout=60,
    )


def room_on_stack() -> bool:
    """Whether the caller runs inside ``portal.stack.call_with_stack_room``."""
    from portal import stack

    frame = sys._getframe()
    while frame is not None and frame.f_code is not stack._with_room.__code__:
        frame = frame.f_back
    return frame is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A redis-server on a fixed port of 127.0.0.1 that a test can stop and start again."""

    def __init__(self, folder: Path):
        self.port, self.folder, self.process = free_port(), folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _pong(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(10).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._pong, 10, "redis-server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        wait_for(lambda: not self._pong(), 10, "redis-server to stop")


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    return redis_server.url


@pytest.fixture
def broker(redis_url):
    """Point this process's Celery app at the real Redis for the test."""
    from portal.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = redis_url
    app.conf.broker_transport_options = {"visibility_timeout": 600}
    app._pool = None
    app.amqp._producer_pool = None
    yield redis_url
    app.conf.broker_url, app.conf.broker_transport_options = saved
    app._pool = None
    app.amqp._producer_pool = None


class Worker:
    """A real `celery worker` process for the reports queue."""

    def __init__(self, broker_url: str, media_root: Path, log: Path):
        self.broker_url, self.media_root, self.log = broker_url, media_root, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from django.conf import settings

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "TEKIGO_TEST_DB": settings.DATABASES["default"]["NAME"],
            "CELERY_BROKER_URL": self.broker_url,
            "MEDIA_ROOT": str(self.media_root),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            "reports",
            "-c",
            "1",
            "-n",
            "itest@127.0.0.1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: b"ready." in self.log.read_bytes(), 60, "the worker to start", 0.2)

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def worker(broker, settings, tmp_path):
    w = Worker(broker, Path(settings.MEDIA_ROOT), tmp_path / "worker.log")
    yield w
    w.stop()

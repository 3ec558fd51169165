"""The report pipeline with real parts: redis-server and a Celery worker on 127.0.0.1.

The worker is a separate process that shares the test database file (see
portal/settings/test.py), so these tests commit their data (transactional_db).
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from reports.models import Report, ReportStatus
from reports.services import report_path, report_request

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")]


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


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def pong():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(10).startswith(b"+PONG")
        except OSError:
            return False

    wait_for(pong, 10, "redis-server")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


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
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "reports", "-c", "1", "-n", "itest@127.0.0.1",
                   "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
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


def status_of(report_id: int) -> str:
    return Report.objects.filter(pk=report_id).values_list("status", flat=True).get()


def test_a_real_worker_renders_a_report_from_redis(transactional_db, worker, assessment, officer):
    worker.start()
    report = report_request(actor=officer, assessment=assessment, language="ja")
    wait_for(lambda: status_of(report.pk) == ReportStatus.READY, 60, "the report to be ready")
    report.refresh_from_db()
    reader = PdfReader(io.BytesIO(report_path(report.pdf_name).read_bytes()))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "AIガバナンス ギャップ分析レポート" in text and "例示法" in text
    assert report.pages == len(reader.pages) and report.worker.startswith("itest@127.0.0.1:")


def test_a_report_survives_its_worker_being_killed_mid_render(transactional_db, worker, settings):
    settings.DEBUG = True
    call_command("load_frameworks", verbosity=0)
    call_command("seed_demo", verbosity=0)  # the full four-framework assessment: a render of about 2 s
    from assessments.models import Assessment
    from portal.models import User

    assessment = Assessment.objects.get()
    worker.start()
    report = report_request(actor=User.objects.get(username="officer"), assessment=assessment, language="en")
    wait_for(lambda: status_of(report.pk) == ReportStatus.RENDERING, 60, "the render to start", 0.01)
    worker.kill()
    assert status_of(report.pk) == ReportStatus.RENDERING
    worker.start()  # same node name: it takes over the dead worker's render at start-up
    wait_for(lambda: status_of(report.pk) == ReportStatus.READY, 90, "the report to be ready after the restart")
    report.refresh_from_db()
    assert report.attempts == 2
    assert PdfReader(io.BytesIO(report_path(report.pdf_name).read_bytes())).pages[0].extract_text()

"""The embedded broker (no Redis: kombu's filesystem transport with atomic writes, portal.broker)
never hands a worker a partly written message, and a burst of report requests from several
threads all complete exactly once with a real worker process."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from queue import Empty
from unittest import mock

import pytest
from kombu import Connection

from portal import broker as embedded
from tests.support import Worker, wait_for

pytestmark = pytest.mark.db_independent


def transport_options(folder: Path) -> dict:
    return {
        "data_folder_in": str(folder / "messages"),
        "data_folder_out": str(folder / "messages"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }


@pytest.fixture
def channel(tmp_path):
    (tmp_path / "messages").mkdir()
    connection = Connection(
        "filesystem://",
        transport="portal.broker:AtomicFilesystemTransport",
        transport_options=transport_options(tmp_path),
    )
    yield connection.default_channel
    connection.release()


def test_a_reader_never_sees_a_message_that_is_still_being_written(channel, tmp_path):
    seen_while_writing = []
    real_replace = os.replace

    def reader_looks_in_the_middle(source, target):
        # The whole body is on disk under its temporary name; the reader must not take it.
        try:
            seen_while_writing.append(channel._get("reports"))
        except Empty:
            seen_while_writing.append(None)
        real_replace(source, target)

    with mock.patch.object(embedded.os, "replace", side_effect=reader_looks_in_the_middle):
        channel._put("reports", {"body": "hello"})
    assert seen_while_writing == [None]
    assert channel._get("reports") == {"body": "hello"}
    assert list((tmp_path / "messages").iterdir()) == []


def test_a_broken_message_file_is_skipped_not_fatal(channel, tmp_path):
    (tmp_path / "messages" / "1_x.reports.msg").write_bytes(b"")  # a torn write of old
    channel._put("reports", {"body": "next"})
    assert channel._get("reports") == {"body": "next"}


def test_queue_bindings_are_replaced_whole(channel, tmp_path):
    channel._queue_bind("reports", "reports", None, "reports")
    channel._queue_bind("reports", "other", None, "other")
    channel._queue_bind("reports", "reports", None, "reports")
    assert [q.queue for q in channel.get_table("reports")] == ["other", "reports"]
    assert not list((tmp_path / "control").glob("*.partial"))


# --- The burst, with a real worker -------------------------------------------------------------


class StubRenderWorker(Worker):
    """The real worker process, on tests.faults.stub_worker's app (a stand-in PDF renderer)."""

    def start(self) -> None:
        import subprocess
        import sys

        from django.conf import settings

        from tests.support import ROOT

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "TEKIGO_TEST_DB": settings.DATABASES["default"]["NAME"],
            "CELERY_BROKER_URL": self.broker_url,
            "MEDIA_ROOT": str(self.media_root),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "tests.faults.stub_worker", "worker",
            "-Q", "reports", "-c", "1", "-n", "burst@127.0.0.1",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: b"ready." in self.log.read_bytes(), 60, "the worker to start", 0.2)


@pytest.fixture
def embedded_broker(tmp_path, monkeypatch):
    """This process and the worker on the embedded broker in a folder of this test's own."""
    from portal.celery import app

    folder = tmp_path / "broker"
    for sub in ("messages", "processed", "control"):
        (folder / sub).mkdir(parents=True)
    saved = (app.conf.broker_url, app.conf.broker_transport, app.conf.broker_transport_options)
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport = "portal.broker:AtomicFilesystemTransport"
    app.conf.broker_transport_options = transport_options(folder)
    app._pool = None
    app.amqp._producer_pool = None
    monkeypatch.setenv("BROKER_FOLDER", str(folder))
    yield folder
    app.conf.broker_url, app.conf.broker_transport, app.conf.broker_transport_options = saved
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.slow
@pytest.mark.integration
def test_a_burst_of_50_report_requests_from_threads_all_complete_exactly_once(
    transactional_db, embedded_broker, assessment, officer, settings, tmp_path
):
    from django.db import connection

    from portal.models import AuditEvent, AuditEventType
    from reports.models import Report, ReportStatus
    from reports.services import report_request

    worker = StubRenderWorker("filesystem://", Path(settings.MEDIA_ROOT), tmp_path / "worker.log")
    worker.start()
    try:
        errors = []

        def ask(count: int) -> None:
            try:
                for n in range(count):
                    report_request(
                        actor=officer, assessment=assessment, language="en" if n % 2 else "ja"
                    )
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=ask, args=(10,)) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert Report.objects.count() == 50
        assert (
            Report.objects.filter(dispatch_error="").count() == 50
        )  # every one reached the broker

        def all_done():
            return not Report.objects.exclude(
                status__in=[ReportStatus.READY, ReportStatus.FAILED]
            ).exists()

        wait_for(all_done, 60, "50 reports to be rendered", 0.5)
    finally:
        worker.stop()
    log = (tmp_path / "worker.log").read_text()
    assert "JSONDecodeError" not in log and "Traceback" not in log, log[-3000:]
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.READY}
    assert set(Report.objects.values_list("attempts", flat=True)) == {1}  # each rendered once
    rendered = AuditEvent.objects.filter(event_type=AuditEventType.REPORT_RENDERED)
    assert rendered.count() == 50 and rendered.values("object_id").distinct().count() == 50
    assert list((embedded_broker / "messages").iterdir()) == []

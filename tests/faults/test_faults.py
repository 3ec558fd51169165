"""Fault injection: the broker going away, the database refusing a write mid-import.

(A worker killed mid-render: tests/reports/test_pipeline_integration.py. Two browsers saving
the same answer: tests/e2e/test_journeys.py.)
"""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.urls import reverse

from frameworks.models import Framework, FrameworkVersion, Provision, Question, Section, Source
from reports.models import Report, ReportStatus
from reports.services import report_request, report_requeue_stale
from tests.support import wait_for


class RefuseNthInsert:
    """A database that refuses the n-th INSERT, as a full disk or a lost connection would."""

    def __init__(self, n: int):
        self.n, self.seen = n, 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT"):
            self.seen += 1
            if self.seen == self.n:
                raise OperationalError("disk I/O error (injected)")
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("n", [1, 20, 60])
def test_database_refusing_a_write_mid_import_leaves_nothing(n):
    refuse = RefuseNthInsert(n)
    with (
        connection.execute_wrapper(refuse),
        pytest.raises(CommandError, match="database refused a write"),
    ):
        call_command("load_frameworks", verbosity=0)
    assert refuse.seen == n
    assert [
        m.objects.count()
        for m in (Framework, FrameworkVersion, Source, Section, Provision, Question)
    ] == [0] * 6
    call_command("load_frameworks", verbosity=0)  # and a later run loads everything
    assert FrameworkVersion.objects.count() == len(
        list(Path(settings.FRAMEWORK_CATALOG_DIR).glob("*.yaml"))
    )


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_redis_down_when_a_report_is_asked_for_then_back(
    transactional_db, redis_server, worker, assessment, officer, client
):  # noqa: F811
    worker.start()
    redis_server.stop()
    report = report_request(
        actor=officer, assessment=assessment, language="en"
    )  # dispatch fails after the commit
    report.refresh_from_db()
    assert (
        report.status == ReportStatus.QUEUED
        and report.dispatched_at is None
        and report.dispatch_error
    )

    client.force_login(officer)
    client.post(reverse("set_language"), {"language": "en"})
    panel = client.get(reverse("reports:panel", args=[assessment.pk])).content.decode()
    assert "waiting for the report service" in panel and 'hx-trigger="every 2s"' in panel

    redis_server.start()  # same port: the worker reconnects by itself
    Report.objects.filter(pk=report.pk).update(requested_at=report.requested_at.replace(year=2000))
    assert report_requeue_stale() == [report.pk]  # what the beat sweep runs every minute
    wait_for(
        lambda: Report.objects.get(pk=report.pk).status == ReportStatus.READY,
        90,
        "the report after Redis came back",
        0.2,
    )

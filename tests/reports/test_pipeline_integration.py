"""The report pipeline with real parts: redis-server and a Celery worker on 127.0.0.1.

The worker is a separate process that shares the test database file (see
portal/settings/test.py), so these tests commit their data (transactional_db).
"""

from __future__ import annotations

import io
import shutil
import time

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from portal.models import AuditEvent, AuditEventType
from portal.storage import stored_file_names, stored_file_read
from reports.models import Report, ReportStatus
from reports.services import REPORTS_FOLDER, report_request
from tests.support import wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]


def status_of(report_id: int) -> str:
    return Report.objects.filter(pk=report_id).values_list("status", flat=True).get()


def test_a_real_worker_renders_a_report_from_redis(transactional_db, worker, assessment, officer):
    worker.start()
    report = report_request(actor=officer, assessment=assessment, language="ja")
    wait_for(lambda: status_of(report.pk) == ReportStatus.READY, 60, "the report to be ready")
    report.refresh_from_db()
    reader = PdfReader(io.BytesIO(stored_file_read(REPORTS_FOLDER, report.pdf_name)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "AIガバナンス ギャップ分析レポート" in text and "例示法" in text
    assert report.pages == len(reader.pages) and report.worker.startswith("itest@127.0.0.1:")


def test_a_report_survives_its_worker_being_killed_mid_render(transactional_db, worker, settings):
    settings.DEBUG = True
    call_command("load_frameworks", verbosity=0)
    call_command(
        "seed_demo", verbosity=0
    )  # the full four-framework assessment: a render of about 2 s
    from assessments.management.commands.seed_demo import DEMO_ASSESSMENT
    from assessments.models import Assessment
    from portal.models import User

    assessment = Assessment.objects.get(name=DEMO_ASSESSMENT)
    worker.start()
    report = report_request(
        actor=User.objects.get(username="officer"), assessment=assessment, language="en"
    )
    wait_for(
        lambda: status_of(report.pk) == ReportStatus.RENDERING, 60, "the render to start", 0.01
    )
    worker.kill()
    assert status_of(report.pk) == ReportStatus.RENDERING
    worker.start()  # same node name: it takes over the dead worker's render at start-up
    wait_for(
        lambda: status_of(report.pk) == ReportStatus.READY,
        90,
        "the report to be ready after the restart",
    )
    report.refresh_from_db()
    assert report.attempts == 2
    assert (
        PdfReader(io.BytesIO(stored_file_read(REPORTS_FOLDER, report.pdf_name)))
        .pages[0]
        .extract_text()
    )
    # Exactly once: one PDF stored, one "rendered" entry in the audit log.
    time.sleep(1)
    assert stored_file_names(REPORTS_FOLDER) == [report.pdf_name]
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.REPORT_RENDERED, object_id=str(report.pk)
        ).count()
        == 1
    )

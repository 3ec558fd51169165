"""The render task: transient errors are retried; once the retries are used up the report is
failed with its reason and audited, and the person can ask again."""

from unittest import mock

import pytest
from django.db import OperationalError

from portal.models import AuditEvent, AuditEventType
from reports.models import Report, ReportStatus
from reports.services import report_request
from reports.tasks import report_render_task

pytestmark = pytest.mark.django_db


def test_a_render_that_keeps_failing_transiently_is_failed_and_audited(assessment, officer):
    with mock.patch.object(report_render_task, "apply_async"):
        report = report_request(actor=officer, assessment=assessment, language="en")
    boom = OperationalError("database is locked")
    with (
        mock.patch("reports.services.report_pdf_render", side_effect=boom) as render,
        mock.patch.object(report_render_task, "max_retries", 2),
    ):
        report_render_task.apply(args=[report.pk])
    # The first try and two retries, each claiming the report afresh (the claim is given back).
    assert render.call_count == 3
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.failure_reason == "Gave up after 3 attempts: OperationalError: database is locked"
    assert report.attempts == 3
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.REPORT_FAILED,
        object_id=str(report.pk),
        after__reason__startswith="Gave up after 3 attempts",
    ).exists()
    # Asking again gives a new report that renders.
    with mock.patch.object(report_render_task, "apply_async"):
        again = report_request(actor=officer, assessment=assessment, language="en")
    report_render_task.apply(args=[again.pk])
    assert Report.objects.get(pk=again.pk).status == ReportStatus.READY


def test_a_transient_error_that_clears_is_retried_to_success(assessment, officer):
    from reports import services

    with mock.patch.object(report_render_task, "apply_async"):
        report = report_request(actor=officer, assessment=assessment, language="en")
    real = services.report_pdf_render
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection")
        return real(**kwargs)

    with mock.patch("reports.services.report_pdf_render", side_effect=flaky):
        report_render_task.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and len(calls) == 2


def test_time_limits_leave_room_for_the_largest_assessment_and_stay_under_the_stale_limit(
    settings,
):
    assert report_render_task.soft_time_limit >= 120
    assert report_render_task.time_limit > report_render_task.soft_time_limit
    # A render still within its limits is never taken for a dead worker's and done twice.
    assert settings.REPORT_STALE_AFTER_SECONDS > report_render_task.time_limit
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 600) > (
        report_render_task.time_limit
    )

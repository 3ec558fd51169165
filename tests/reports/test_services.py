"""Report requests, dispatch, rendering and the requeue sweep."""

import datetime as dt
import hashlib
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from portal.storage import stored_file_read
from reports.models import Report, ReportStatus
from reports.services import (
    REPORTS_FOLDER,
    report_render,
    report_request,
    report_requeue_stale,
)
from reports.tasks import report_render_task
from tests.reports.test_analysis import answer

pytestmark = pytest.mark.django_db


def test_request_freezes_a_snapshot_and_dispatches_after_commit(
    assessment, officer, django_capture_on_commit_callbacks
):
    answer(assessment, officer, "q:art-7-contact", value="yes")
    with (
        mock.patch.object(report_render_task, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = report_request(actor=officer, assessment=assessment, language="ja")
        assert not send.called  # not before the commit
    send.assert_called_once_with(args=[report.pk], retry=False)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.dispatched_at is not None
    assert len(report.snapshot_sha256) == 64
    # Later answers never change an issued report.
    answer(assessment, officer, "q:art-7-contact", value="no", revision=1)
    report.refresh_from_db()
    questions = [
        q
        for g in report.snapshot["frameworks"][0]["sections"][0]["provisions"]
        for q in g["questions"]
    ]
    assert questions[0]["answer_en"] == "Yes"


def test_unknown_language_is_refused(assessment, officer):
    with pytest.raises(ValidationError):
        report_request(actor=officer, assessment=assessment, language="fr")
    assert not Report.objects.exists()


def test_broker_down_keeps_the_request_queued_with_the_reason(
    assessment, officer, django_capture_on_commit_callbacks
):
    with mock.patch.object(
        report_render_task,
        "apply_async",
        side_effect=BrokerDown("Error 111 connecting to 127.0.0.1:6379"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            report = report_request(actor=officer, assessment=assessment, language="en")
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert report.dispatched_at is None and "6379" in report.dispatch_error
    # Once the broker is back, the sweep sends it.
    Report.objects.filter(pk=report.pk).update(
        requested_at=timezone.now() - dt.timedelta(seconds=30)
    )
    with mock.patch.object(report_render_task, "apply_async") as send:
        assert report_requeue_stale() == [report.pk]
    send.assert_called_once()


def test_render_stores_the_pdf_with_its_hash_and_a_rerun_is_harmless(
    assessment, officer, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(report_render_task, "apply_async"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = report_request(actor=officer, assessment=assessment, language="en")
    report = report_render(report_id=report.pk, worker="w1:1")
    assert report.status == ReportStatus.READY and report.pages >= 5
    content = stored_file_read(REPORTS_FOLDER, report.pdf_name)
    assert hashlib.sha256(content).hexdigest() == report.pdf_sha256
    again = report_render(report_id=report.pk, worker="w2:2")
    assert (again.pdf_sha256, again.attempts) == (report.pdf_sha256, 1)


def test_the_render_runs_with_the_collector_paused_and_collects_once_after_it_is_ready(
    assessment, officer
):
    import gc

    from reports import services

    real, seen = services.report_pdf_render, {}

    def render(**kwargs):
        seen["collector_on_while_rendering"] = gc.isenabled()
        return real(**kwargs)

    def collect(*args):
        # The report is already marked ready when the one collection runs.
        seen["status_when_collecting"] = Report.objects.get(pk=report.pk).status
        return 0

    report = report_request(actor=officer, assessment=assessment, language="ja")
    assert gc.isenabled()
    with (
        mock.patch("reports.services.report_pdf_render", render),
        mock.patch("gc.collect", side_effect=collect) as collected,
    ):
        report_render(report_id=report.pk, worker="t:1")
    assert seen == {
        "collector_on_while_rendering": False,
        "status_when_collecting": ReportStatus.READY,
    }
    collected.assert_called_once_with(0)  # the youngest generation: the render's objects
    assert gc.isenabled()


def test_weasyprint_runs_with_room_on_the_frame_stack(assessment, officer):
    from reports import services
    from tests.support import room_on_stack

    real, seen = services.report_pdf_render, []

    def render(**kwargs):
        seen.append(room_on_stack())
        return real(**kwargs)

    report = report_request(actor=officer, assessment=assessment, language="en")
    with mock.patch("reports.services.report_pdf_render", render):
        assert report_render(report_id=report.pk, worker="t:1").status == ReportStatus.READY
    assert seen == [True]


def test_a_failed_render_turns_the_collector_back_on(assessment, officer):
    import gc

    report = report_request(actor=officer, assessment=assessment, language="ja")
    with mock.patch("reports.services.report_pdf_render", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            report_render(report_id=report.pk, worker="t:1")
    assert gc.isenabled()


def test_a_fresh_claim_by_another_worker_is_respected(assessment, officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING, started_at=timezone.now(), worker="w1:1"
    )
    assert report_render(report_id=report.pk, worker="w2:2").status == ReportStatus.RENDERING


def test_a_render_left_by_a_dead_worker_is_picked_up_again(assessment, officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING, started_at=long_ago, worker="w1:1", dispatched_at=long_ago
    )
    with mock.patch.object(report_render_task, "apply_async") as send:
        assert report_requeue_stale() == [report.pk]
    send.assert_called_once()
    assert Report.objects.get(pk=report.pk).status == ReportStatus.QUEUED
    assert report_render(report_id=report.pk, worker="w3:3").status == ReportStatus.READY


def test_a_restarted_worker_takes_over_its_predecessors_renders(assessment, officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING,
        started_at=timezone.now(),
        worker="tekigo@host:41",
        dispatched_at=timezone.now(),
    )
    with mock.patch.object(report_render_task, "apply_async"):
        assert report_requeue_stale(worker_prefix="other@host:") == []
        assert report_requeue_stale(worker_prefix="tekigo@host:") == [report.pk]


def test_a_failure_is_recorded_on_the_row(assessment, officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    with mock.patch("reports.services.report_pdf_render", side_effect=RuntimeError("font missing")):
        with pytest.raises(RuntimeError):
            report_render_task.run(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "font missing" in report.failure_reason


def test_the_task_is_declared_for_a_safe_pipeline():
    assert report_render_task.acks_late and report_render_task.reject_on_worker_lost
    assert (report_render_task.soft_time_limit, report_render_task.time_limit) == (150, 180)
    from portal.celery import app

    assert app.amqp.router.route({}, report_render_task.name)["queue"].name == "reports"


def test_a_render_that_cannot_load_its_stylesheet_fails_and_is_audited(assessment, officer):
    from portal.models import AuditEvent, AuditEventType
    from reports.rendering import ReportResourceMissing

    report = report_request(actor=officer, assessment=assessment, language="en")
    missing = ReportResourceMissing("not one of our static files: css/report.0123.css")
    with mock.patch("reports.services.report_pdf_render", side_effect=missing):
        rendered = report_render(report_id=report.pk, worker="w1:1")
    assert rendered.status == ReportStatus.FAILED and not rendered.pdf_name
    assert "css/report.0123.css" in rendered.failure_reason
    event = AuditEvent.objects.get(event_type=AuditEventType.REPORT_FAILED)
    assert "css/report.0123.css" in event.after["reason"]
    assert not AuditEvent.objects.filter(event_type=AuditEventType.REPORT_RENDERED).exists()


# --- Pipeline overhead (issue 14) --------------------------------------------------------------


def test_report_meta_looks_the_sign_off_up_once(assessment, officer, django_assert_num_queries):
    from reports.services import report_meta, report_request

    with mock.patch.object(report_render_task, "apply_async"):
        report = report_request(actor=officer, assessment=assessment, language="en")
    report = Report.objects.select_related("organisation", "assessment").get(pk=report.pk)
    with django_assert_num_queries(1):  # the live sign-off naming the snapshot: none, a draft
        meta = report_meta(report)
    assert (meta["stage"], meta["approval"]) == ("draft", None)


def test_the_signature_reserves_room_for_its_certificates_without_a_trial_signature():
    from reports.signing import signature_bytes_reserved, signing_material

    material = signing_material()
    reserved = signature_bytes_reserved(material)
    assert reserved % 2 == 0 and reserved >= 4096 + len(material.cert.dump())

"""Report pages: who may ask, download, read and verify; downloads are audited."""

import hashlib
import re
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from portal.models import AuditEvent, AuditEventType, User
from portal.storage import stored_file_read
from reports.models import Report, ReportStatus
from reports.services import REPORTS_FOLDER, report_render, report_request
from reports.tasks import report_render_task
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_report(assessment, officer, auditor, other_officer):
    report = report_request(actor=officer, assessment=assessment, language="ja")
    return report_render(report_id=report.pk, worker="t:1")


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("who", ["officer", "auditor"])
def test_members_ask_for_reports_and_download_them(client, ready_report, who):
    login(client, who)
    with mock.patch.object(report_render_task, "apply_async"):
        response = client.post(
            reverse("reports:request", args=[ready_report.assessment_id]),
            {"language": "en"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200 and "report-list" in response.content.decode()
    assert Report.objects.filter(language="en", requested_by__username=who).exists()
    download = client.get(reverse("reports:download", args=[ready_report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert (
        hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == ready_report.pdf_sha256
    )
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.REPORT_DOWNLOADED, actor_name=who
        ).count()
        == 1
    )
    assert client.get(reverse("reports:html", args=[ready_report.pk])).status_code == 200


@pytest.mark.parametrize("who", ["intruder", "staff"])
def test_outsiders_get_404_everywhere(client, ready_report, who):
    StaffFactory(username="staff")
    login(client, who)
    a = ready_report.assessment_id
    assert client.post(reverse("reports:request", args=[a]), {"language": "en"}).status_code == 404
    assert client.get(reverse("reports:panel", args=[a])).status_code == 404
    assert client.get(reverse("reports:download", args=[ready_report.pk])).status_code == 404
    assert client.get(reverse("reports:html", args=[ready_report.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[99999])).status_code == 404
    assert Report.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, ready_report):
    for url in (
        reverse("reports:download", args=[ready_report.pk]),
        reverse("reports:verify"),
        reverse("reports:panel", args=[ready_report.assessment_id]),
    ):
        assert client.get(url).status_code == 302


def test_panel_polls_while_a_report_is_pending_and_stops_when_ready(client, assessment, officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    login(client, "officer")
    url = reverse("reports:panel", args=[assessment.pk])
    assert 'hx-trigger="every 2s"' in client.get(url).content.decode()
    report_render(report_id=report.pk, worker="t:1")
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' not in page
    assert reverse("reports:download", args=[report.pk]) in page


def test_a_queued_report_says_it_waits_for_the_service(client, assessment, officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    Report.objects.filter(pk=report.pk).update(dispatch_error="connection refused")
    login(client, "officer")
    client.post(reverse("set_language"), {"language": "en"})
    assert (
        "waiting for the report service"
        in client.get(reverse("reports:panel", args=[assessment.pk])).content.decode()
    )


def test_verify_by_upload_and_by_hash(client, ready_report):
    login(client, "auditor")
    content = stored_file_read(REPORTS_FOLDER, ready_report.pdf_name)
    page = client.post(
        reverse("reports:verify"), {"file": SimpleUploadedFile("r.pdf", content)}
    ).content.decode()
    assert ready_report.snapshot_sha256 in page and "Acme AI" in page
    page = client.post(
        reverse("reports:verify"), {"sha256": ready_report.pdf_sha256.upper()}
    ).content.decode()
    assert ready_report.snapshot_sha256 in page


def test_verify_reveals_nothing_about_other_organisations_reports(client, ready_report):
    login(client, "intruder")
    page = client.post(
        reverse("reports:verify"), {"sha256": ready_report.pdf_sha256}
    ).content.decode()
    assert "Acme AI" not in page and ready_report.snapshot_sha256 not in page
    unknown = client.post(reverse("reports:verify"), {"sha256": "0" * 64}).content.decode()

    def strip(html):
        html = html.replace("0" * 64, "").replace(ready_report.pdf_sha256, "")
        return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', "", html)

    assert strip(page) == strip(unknown)


def test_verify_refuses_a_malformed_hash(client, ready_report):
    login(client, "officer")
    assert client.post(reverse("reports:verify"), {"sha256": "abc"}).status_code == 400


def test_render_report_command_prints_pages_seconds_and_hash(assessment, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    call_command("render_report", str(assessment.pk), "--lang", "en", "--output", str(out))
    printed = capsys.readouterr().out
    assert hashlib.sha256(out.read_bytes()).hexdigest() in printed
    assert " pages, " in printed and " s " in printed
    assert not Report.objects.exists()


def test_report_of_a_report_status_failed_is_shown(client, assessment, officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.FAILED, failure_reason="RuntimeError: boom"
    )
    login(client, "officer")
    assert (
        "RuntimeError: boom"
        in client.get(reverse("reports:panel", args=[assessment.pk])).content.decode()
    )
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404

"""Organisation report settings: confidentiality marking and a validated cover logo."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from portal.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str, size=(64, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format=fmt)
    return buffer.getvalue()


PNG_16 = image_bytes("PNG", (16, 16))


def url(organisation):
    return reverse("organisation_settings", args=[organisation.pk])


def test_the_default_marking_is_shagaihi(organisation):
    assert organisation.confidentiality_marking == "社外秘" and not organisation.logo


def test_an_officer_sets_the_marking_and_a_logo_and_it_is_audited(client, officer, organisation):
    client.cookies["django_language"] = "en"
    client.force_login(officer)
    assert client.get(url(organisation)).status_code == 200
    logo = SimpleUploadedFile("logo.png", PNG_16, "image/png")
    response = client.post(
        url(organisation), {"confidentiality_marking": "関係者限り", "logo": logo}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    organisation.refresh_from_db()
    assert organisation.confidentiality_marking == "関係者限り"
    assert organisation.logo.name.startswith("logos/") and organisation.logo.read() == PNG_16
    event = AuditEvent.objects.get(event_type=AuditEventType.ORGANISATION_UPDATED)
    assert event.after["confidentiality_marking"] == "関係者限り"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("logo.gif", image_bytes("GIF"), "PNG or JPEG"),
        ("logo.png", b"%PDF-1.4 not an image", "PNG or JPEG"),
        ("logo.png", image_bytes("PNG", (4000, 10)), "16 and 2000"),
        ("logo.jpg", b"\xff\xd8" + b"0" * (600 * 1024), "512 KB"),
    ],
)
def test_a_bad_logo_is_refused_with_a_reason_and_nothing_is_saved(
    client, officer, organisation, name, content, message
):
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile(name, content, "application/octet-stream")
    response = client.post(url(organisation), {"confidentiality_marking": "極秘", "logo": upload})
    assert response.status_code == 400 and message in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.confidentiality_marking == "社外秘" and not organisation.logo
    assert not AuditEvent.objects.filter(event_type=AuditEventType.ORGANISATION_UPDATED).exists()


def test_a_jpeg_logo_is_accepted(client, officer, organisation):
    client.force_login(officer)
    logo = SimpleUploadedFile("logo.jpg", image_bytes("JPEG"), "image/jpeg")
    assert (
        client.post(
            url(organisation), {"confidentiality_marking": "社外秘", "logo": logo}
        ).status_code
        == 302
    )


def test_auditors_and_outsiders_get_the_same_404_and_staff_may_edit(
    client, auditor, other_officer, staff, organisation
):
    for user in (auditor, other_officer):
        client.force_login(user)
        assert client.get(url(organisation)).status_code == 404
        assert client.post(url(organisation), {"confidentiality_marking": "x"}).status_code == 404
    client.force_login(user)
    assert client.get(reverse("organisation_settings", args=[999999])).status_code == 404
    client.force_login(staff)
    assert client.get(url(organisation)).status_code == 200


def test_the_rendered_report_carries_the_organisations_marking_and_logo(
    assessment, officer, organisation, tmp_path
):
    import subprocess

    from portal.services import organisation_report_settings_update
    from reports.models import ReportStatus
    from reports.services import report_path, report_render, report_request

    organisation_report_settings_update(
        actor=officer,
        organisation=organisation,
        confidentiality_marking="関係者限り",
        logo=SimpleUploadedFile("logo.png", PNG_16, "image/png"),
    )
    report = report_request(actor=officer, assessment=assessment, language="ja")
    report = report_render(report_id=report.pk, worker="w:1")
    assert report.status == ReportStatus.READY, report.failure_reason
    text = subprocess.run(
        ["pdftotext", str(report_path(report.pdf_name)), "-"], capture_output=True, text=True
    ).stdout
    assert "関係者限り" in text.split("\f")[0] and "下書き" in text


def test_the_reports_panel_links_the_settings_for_officers_only(
    client, officer, auditor, assessment
):
    panel = reverse("reports:panel", args=[assessment.pk])
    target = url(assessment.organisation)
    client.force_login(officer)
    assert target in client.get(panel).content.decode()
    client.force_login(auditor)
    assert target not in client.get(panel).content.decode()

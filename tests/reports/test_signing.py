"""PAdES signatures on issued reports: valid when issued, broken by one changed byte, checked by
``manage.py verify_report``; production refuses to start without its signing key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from reports.rendering import report_pdf_render
from reports.services import report_path, report_render, report_request
from reports.signing import (
    GENERATED_SUBJECT,
    SignatureStatus,
    pdf_sign,
    pdf_signature_check,
    signing_material_generate,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def issued(assessment, officer):
    """A rendered report and its PDF bytes as stored."""
    report = report_request(actor=officer, assessment=assessment, language="en")
    report = report_render(report_id=report.pk, worker="t:1")
    return report, report_path(report.pdf_name).read_bytes()


def with_english(*args):
    """The command's messages exist in both languages; the assertions read English."""
    with translation.override("en"):
        call_command(*args)


def one_byte_changed(content: bytes, at: int) -> bytes:
    return content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1 :]


def test_a_rendered_report_carries_a_valid_signature_by_this_instance(issued):
    report, content = issued
    check = pdf_signature_check(content)
    assert check.status == SignatureStatus.VALID and check.is_valid
    assert check.signer == GENERATED_SUBJECT and check.signed_at is not None
    # The stored hash is the hash of the signed file: the signature is part of what was issued.
    assert b"/ByteRange" in content and b"/SubFilter /ETSI.CAdES.detached" in content


@pytest.mark.parametrize("where", [0.05, 0.5, 0.9, 0.99])
def test_one_changed_byte_breaks_the_signature(issued, where):
    _, content = issued
    check = pdf_signature_check(one_byte_changed(content, int(len(content) * where)))
    assert check.status == SignatureStatus.ALTERED


def test_an_unsigned_file_or_not_a_pdf_is_unsigned():
    assert pdf_signature_check(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n").status == "unsigned"
    assert pdf_signature_check(b"hello").status == SignatureStatus.UNSIGNED


@pytest.fixture
def unsigned_pdf():
    # A minimal page that meets the renderer's checks: a language and the report's body font.
    html = '<html lang="en"><body style="font-family: \'Noto Sans CJK JP\'"><p>Tekigo</p></body></html>'
    return report_pdf_render(html=html).content


def test_a_signature_by_another_key_is_not_ours(unsigned_pdf, settings, tmp_path):
    ours = pdf_sign(unsigned_pdf)
    settings.REPORT_SIGNING_GENERATED = tmp_path / "other.pem"
    theirs = pdf_sign(unsigned_pdf)
    assert pdf_signature_check(theirs).status == SignatureStatus.VALID  # for the other instance
    settings.REPORT_SIGNING_GENERATED = tmp_path / "another.pem"
    assert pdf_signature_check(theirs).status == SignatureStatus.NOT_OURS
    assert pdf_signature_check(ours).status == SignatureStatus.NOT_OURS


def test_a_key_and_certificate_given_as_pem_text_sign(unsigned_pdf, settings, tmp_path):
    content = unsigned_pdf
    signing_material_generate(tmp_path / "given.pem")
    pem = (tmp_path / "given.pem").read_text()
    settings.REPORT_SIGNING_KEY = pem
    settings.REPORT_SIGNING_CERT = pem
    signed = pdf_sign(content)
    assert pdf_signature_check(signed).status == SignatureStatus.VALID
    settings.REPORT_SIGNING_KEY = settings.REPORT_SIGNING_CERT = None
    assert pdf_signature_check(signed).status == SignatureStatus.NOT_OURS


def test_verify_report_command_accepts_the_issued_file(issued, tmp_path, capsys):
    report, content = issued
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    with_english("verify_report", str(path))
    out = capsys.readouterr().out
    assert f"report {report.pk}" in out and "genuine" in out.lower()


@pytest.mark.parametrize("where", [0.3, 0.97])
def test_verify_report_command_fails_after_one_changed_byte(issued, tmp_path, where):
    _, content = issued
    path = tmp_path / "r.pdf"
    path.write_bytes(one_byte_changed(content, int(len(content) * where)))
    with pytest.raises(CommandError, match="(?i)altered|unknown") as failure:
        with_english("verify_report", str(path))
    assert failure.value.returncode != 0


def test_verify_report_command_fails_for_an_unknown_file_and_a_missing_one(issued, tmp_path):
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    with pytest.raises(CommandError, match="(?i)unknown"):
        with_english("verify_report", str(other))
    with pytest.raises(CommandError, match="(?i)no such file"):
        with_english("verify_report", str(tmp_path / "nope.pdf"))


def run_production_settings(**env) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    keep = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "REPORT_SIGNING_KEY", "REPORT_SIGNING_CERT")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "portal.settings.production", **env},
        timeout=60,
    )


def test_production_refuses_to_start_without_a_signing_key():
    result = run_production_settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.com")
    assert result.returncode != 0 and "REPORT_SIGNING_KEY" in result.stderr
    started = run_production_settings(
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="example.com",
        REPORT_SIGNING_KEY="/run/secrets/key.pem",
        REPORT_SIGNING_CERT="/run/secrets/cert.pem",
    )
    assert started.returncode == 0, started.stderr


def test_a_generated_pair_is_made_once_and_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "signing" / "development.pem"
    signing_material_generate(path)
    first = path.read_bytes()
    signing_material_generate(path)  # a second process starting finds it and keeps it
    assert path.read_bytes() == first
    assert b"PRIVATE KEY" in first and b"CERTIFICATE" in first
    assert path.stat().st_mode & 0o777 == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind

"""CSRF, cookies, sign-in throttling, passwords, XSS in every free-text field, uploads."""

import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import Evidence
from assessments.services import AnswerInput, answer_save, evidence_upload
from frameworks.models import Question
from frameworks.services import framework_content_save, framework_version_clone
from portal.models import User
from reports.analysis import gap_analysis_compute
from reports.rendering import report_html_render, report_pdf_render
from tests.conftest import question_of
from tests.support import run_with_production_settings

pytestmark = pytest.mark.django_db

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }}{% now 'Y' %}",
    "<a href='http://127.0.0.1:9/'>click</a>",
]


# --- CSRF, cookies, passwords, throttling -----------------------------------------------------


def test_state_changing_forms_need_a_csrf_token(assessment, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    for url, data in [
        (
            reverse("assessments:answer", args=[assessment.pk, question.pk]),
            {"type": "yes_no_partial", "value": "yes"},
        ),
        (reverse("assessments:scoping", args=[assessment.pk]), {"roles": ["ai_provider"]}),
        (reverse("assessments:submit", args=[assessment.pk]), {}),
        (reverse("reports:request", args=[assessment.pk]), {"language": "ja"}),
        (reverse("api_tokens"), {"name": "x"}),
        (reverse("password_change"), {}),
        ("/api/v1/assessments/%d/answers/" % assessment.pk, {"items": []}),
    ]:
        assert client.post(url, data).status_code == 403, url


def test_session_cookie_is_httponly_and_secure_in_production():
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE)"
    result = run_with_production_settings(code)
    assert result.stdout.split() == ["True", "True", "True"], result.stderr


def test_sign_in_is_throttled_after_repeated_failures(officer):
    client = Client()
    url = reverse("login")
    statuses = [
        client.post(url, {"username": "officer", "password": "wrong"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks the account out
    locked = client.post(url, {"username": "officer", "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_in_works_and_resets_the_count(officer):
    client = Client()
    for _ in range(3):
        client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "officer", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(officer.pk)


@pytest.mark.parametrize("password", ["password", "12345678", "officer1", "short"])
def test_weak_passwords_are_refused(client, officer, password):
    client.force_login(officer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": password,
            "new_password2": password,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    officer.refresh_from_db()
    assert officer.check_password("correct-horse-battery")


# --- XSS --------------------------------------------------------------------------------------


def _no_raw_payload(html: str, payload: str) -> None:
    assert payload not in html or payload in ("javascript:alert(1)", "{{ 7*7 }}{% now 'Y' %}"), (
        payload
    )
    assert "<script>alert(1)</script>" not in html
    assert "onerror=alert(1)>" not in html and "<svg/onload" not in html


@pytest.mark.parametrize("payload", XSS)
def test_payloads_in_every_free_text_field_stay_text_in_pages_and_pdf(
    client, assessment, officer, staff, payload
):
    from assessments.models import Assessment

    version = assessment.pins.get().version
    Assessment.objects.filter(pk=assessment.pk).update(name=f"Review {payload}")
    assessment.refresh_from_db()
    text_question = question_of(version, "q:art-7-contact-who")
    contact = question_of(version, "q:art-7-contact")
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=contact.pk,
        data=AnswerInput(value="partial", comment=payload),
    )
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=text_question.pk,
        data=AnswerInput(value=payload),
    )
    evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=contact.pk,
        upload=SimpleUploadedFile(f"{payload[:40]}.txt".replace("/", "_"), b"evidence"),
    )

    client.force_login(officer)
    section = contact.provision.section_id
    for url in [
        reverse("assessments:dashboard"),
        reverse("assessments:detail", args=[assessment.pk]),
        reverse("assessments:section", args=[assessment.pk, section]),
        reverse("assessments:history", args=[assessment.pk]),
    ]:
        html = client.get(url).content.decode()
        _no_raw_payload(html, payload)
    assert (
        "&lt;"
        in client.get(
            reverse("assessments:section", args=[assessment.pk, section])
        ).content.decode()
        or "<" not in payload
    )

    # A staff draft with the payload in a question's prompt.
    draft = framework_version_clone(actor=staff, version=version, label="2025.x")
    question = Question.objects.get(version=draft, urn=contact.urn)
    question.prompt_en = payload
    framework_content_save(actor=staff, instance=question)
    client.force_login(staff)
    _no_raw_payload(
        client.get(
            reverse("frameworks:provision", args=[draft.pk, question.provision_id])
        ).content.decode(),
        payload,
    )

    snapshot = gap_analysis_compute(assessment=assessment)
    html = report_html_render(
        snapshot=snapshot,
        language="en",
        report_meta={"report_id": "1", "issued_at": "x", "snapshot_sha256": "y"},
        for_pdf=True,
    )
    _no_raw_payload(html, payload)
    pdf = report_pdf_render(html=html)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    squashed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", payload) in squashed  # shown as text, literally


# --- Uploads through the page -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "size_limit"),
    [
        ("big.pdf", b"%PDF-1.4" + b"0" * 4096, 1024),
        ("tool.exe", b"MZ\x90\x00", None),
        ("report.pdf", b"<html>no</html>", None),
        ("../../../../etc/cron.d/x.sh", b"#!/bin/sh", None),
        ("empty.txt", b"", None),
    ],
)
def test_bad_uploads_are_refused_with_a_message_and_nothing_is_stored(
    client, assessment, officer, settings, name, content, size_limit
):
    if size_limit:
        settings.EVIDENCE_MAX_BYTES = size_limit
    client.force_login(officer)
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    response = client.post(
        reverse("assessments:evidence_upload", args=[assessment.pk, question.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Evidence.objects.exists()
    from portal.storage import stored_file_names

    assert stored_file_names("evidence") == []


def test_published_frameworks_cannot_be_changed_through_ui_admin_or_api(
    client, staff, published_version
):
    from rest_framework.test import APIClient

    question = Question.objects.filter(version=published_version).first()
    client.force_login(staff)
    assert (
        client.post(
            reverse("admin:frameworks_question_change", args=[question.pk]), {"prompt_en": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("frameworks:publish", args=[published_version.pk]), follow=True
        ).status_code
        == 200
    )
    api = APIClient()
    api.force_authenticate(User.objects.get(username="admin"))
    assert (
        api.patch(
            f"/api/v1/questions/{question.pk}/", {"prompt_en": "x"}, format="json"
        ).status_code
        == 409
    )
    question.refresh_from_db()
    assert question.prompt_en != "x"


# --- Behind the TLS proxy (issue 14) ------------------------------------------------------------

PROXY = "10.0.0.5"


def sign_in(client, *, username, password, via_proxy_for=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if via_proxy_for:
        extra["HTTP_X_FORWARDED_FOR"] = via_proxy_for
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_an_attacker_behind_the_proxy_cannot_lock_out_the_real_user(officer, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    attacker = Client()
    statuses = [
        sign_in(attacker, username="officer", password="wrong", via_proxy_for="203.0.113.9")
        for _ in range(6)
    ]
    assert [r.status_code for r in statuses][-2:] == [429, 429]
    # The same user name from the real user's address, through the same proxy, still signs in.
    real = Client()
    response = sign_in(
        real, username="officer", password="correct-horse-battery", via_proxy_for="198.51.100.7"
    )
    assert response.status_code == 302 and real.session["_auth_user_id"] == str(officer.pk)


def test_a_forged_forwarded_for_from_a_direct_client_is_ignored(officer, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXIES = [PROXY]
    for spoofed in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        sign_in(
            Client(),
            username="officer",
            password="wrong",
            via_proxy_for=spoofed,
            remote="203.0.113.9",
        )
    # One address counted three times, not three addresses: rotating the header gains nothing.
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [
        ("203.0.113.9", 3)
    ]


def test_client_address_is_the_rightmost_untrusted_forwarded_entry(rf, settings):
    from portal.middleware import client_ip_address

    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    forged_then_real = rf.get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.0.0.7"
    )
    assert client_ip_address(forged_then_real) == "203.0.113.9"
    assert client_ip_address(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
    garbled = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip_address(garbled) == "10.0.0.5"
    settings.TRUSTED_PROXIES = []
    assert client_ip_address(forged_then_real) == "10.0.0.5"


def test_forwarded_proto_is_believed_only_from_the_trusted_proxy(officer, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    direct = client.get(reverse("login"), REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    proxied = client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


def production_settings(**env):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.TRUSTED_PROXIES]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("TRUSTED_PROXIES", "DEBUG")}
    result = run_with_production_settings(code, environ=clean, **env)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout)


def test_production_trusts_forwarded_proto_only_with_a_configured_proxy():
    assert production_settings() == [None, False, []]
    assert production_settings(TRUSTED_PROXIES="10.0.0.5") == [
        ["HTTP_X_FORWARDED_PROTO", "https"],
        True,
        ["10.0.0.5"],
    ]
    assert production_settings(TRUSTED_PROXIES="10.0.0.5", SECURE_SSL_REDIRECT="false")[1] is False


# --- Cache headers (issue 14) -------------------------------------------------------------------


def test_evidence_reports_and_api_answers_are_never_cached(client, assessment, officer):
    from rest_framework.test import APIClient

    from reports.services import report_render, report_request

    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    evidence = evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=question.pk,
        upload=SimpleUploadedFile("note.txt", b"evidence"),
    )
    report = report_request(actor=officer, assessment=assessment, language="en")
    report_render(report_id=report.pk, worker="t:1")
    client.force_login(officer)
    api = APIClient()
    api.force_authenticate(officer)
    for response in (
        client.get(reverse("assessments:evidence_download", args=[assessment.pk, evidence.pk])),
        client.get(reverse("reports:download", args=[report.pk])),
        api.get(f"/api/v1/reports/{report.pk}/download/"),
        api.get(f"/api/v1/assessments/{assessment.pk}/"),
        api.get("/api/v1/assessments/999999/"),
    ):
        assert response["Cache-Control"] == "private, no-store", response.status_code


# --- Request-body limit (issue 14) --------------------------------------------------------------


@pytest.fixture
def small_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 4096
    settings.UPLOAD_MARGIN_BYTES = 1024
    return settings


def test_an_oversized_upload_is_refused_before_it_is_read(client, assessment, officer, small_limit):
    client.force_login(officer)
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    big = b"%PDF-1.4" + b"0" * 64 * 1024
    for url in (
        reverse("assessments:evidence_upload", args=[assessment.pk, question.pk]),
        reverse("reports:verify"),
    ):
        response = client.post(url, {"file": SimpleUploadedFile("big.pdf", big)})
        assert response.status_code == 413, url
    api = Client()
    api.force_login(officer)
    response = api.post(
        f"/api/v1/assessments/{assessment.pk}/answers/", {"file": SimpleUploadedFile("b.pdf", big)}
    )
    assert response.status_code == 413 and response.json()["errors"][0]["code"] == "too_large"
    assert not Evidence.objects.exists()


def test_an_upload_without_a_declared_size_stops_streaming_at_the_limit(small_limit, tmp_path):
    """The handlers after the limit never see a byte beyond it, so nothing past it reaches disk."""
    from django.core.files.uploadhandler import TemporaryFileUploadHandler
    from django.http.multipartparser import MultiPartParser
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    from portal.upload_handlers import SizeLimitUploadHandler, UploadTooLarge

    small_limit.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("big.pdf", b"0" * 512 * 1024)})

    class Recording(TemporaryFileUploadHandler):
        written = 0

        def receive_data_chunk(self, raw_data, start):
            Recording.written += len(raw_data)
            return super().receive_data_chunk(raw_data, start)

    # The body's size as declared is under the limit (a client may lie, or stream in chunks):
    # the handler counts what really arrives.
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    handlers = [SizeLimitUploadHandler(), Recording()]
    handlers[0].handle_raw_input = lambda *args, **kwargs: None
    with pytest.raises(UploadTooLarge):
        MultiPartParser(meta, io.BytesIO(body), handlers).parse()
    assert Recording.written <= 4096 + 1024

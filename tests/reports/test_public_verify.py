"""The public verification page: anyone holding a report can check it without an account, and
learns only the date of issue and the report number: never the organisation, the assessment or
the content, whoever asks and whatever code they try; guessing is rate-limited."""

import re
import subprocess

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from portal.models import User
from reports.services import report_meta, report_path, report_render, report_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client(client, settings):
    """A visitor reading English (the pages exist in both languages; the assertions use English)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def issued(assessment, officer, auditor, other_officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    report = report_render(report_id=report.pk, worker="t:1")
    return report, report_path(report.pdf_name).read_bytes()


def secrets_of(report) -> list[str]:
    """What the public page must never show: who, what, and anything from the snapshot."""
    s = report.snapshot
    question = s["frameworks"][0]["sections"][0]["provisions"][0]["questions"][0]
    return [
        "Acme AI",
        "FY2026 review",
        report.snapshot_sha256,
        report.pdf_sha256,
        question["prompt_en"],
        s["frameworks"][0]["short_name_en"],
    ]


def assert_reveals_nothing(page: str, report) -> None:
    for secret in secrets_of(report):
        assert secret not in page, secret


def upload(client, content: bytes, **data):
    return client.post(
        reverse("reports:public_verify"), {"file": SimpleUploadedFile("r.pdf", content), **data}
    )


def one_byte_changed(content: bytes, at: int) -> bytes:
    return content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1 :]


def test_the_issued_pdf_is_genuine_and_nothing_else_is_said(client, issued):
    report, content = issued
    response = upload(client, content)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-verdict="genuine"' in page
    issued_on = timezone.localdate(report.requested_at).isoformat()
    assert f"report {report.pk}" in page and issued_on in page
    assert_reveals_nothing(page, report)


@pytest.mark.parametrize("where", [0.2, 0.5, 0.98])
def test_one_changed_byte_is_altered(client, issued, where):
    report, content = issued
    page = upload(client, one_byte_changed(content, int(len(content) * where))).content.decode()
    assert 'data-verdict="altered"' in page or 'data-verdict="unknown"' in page
    assert 'data-verdict="genuine"' not in page
    assert_reveals_nothing(page, report)
    # With the code typed in, the file is compared with that report: always "altered".
    typed = upload(
        client,
        one_byte_changed(content, int(len(content) * where)),
        code=report.verification_code.lower(),
    ).content.decode()
    assert 'data-verdict="altered"' in typed


def test_the_qr_code_page_says_when_and_which_report_only(client, issued):
    report, _ = issued
    page = client.get(reverse("reports:public_verify_code", args=[report.verification_code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-verdict="issued"' in html and f"report {report.pk}" in html
    assert_reveals_nothing(html, report)
    assert "no-store" in page["Cache-Control"] and "noindex" in page["X-Robots-Tag"]


def strip(html: str) -> str:
    """The page without its CSRF token and the language switch's return address."""
    return re.sub(
        r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|name="next" value=")[^"]+', "", html
    )


def test_unknown_and_malformed_codes_get_the_same_answer(client, issued):
    report, _ = issued
    unknown = client.get(reverse("reports:public_verify_code", args=["A" * 24])).content.decode()
    malformed = client.get(reverse("reports:public_verify_code", args=["1; drop"])).content
    typed = client.post(reverse("reports:public_verify"), {"code": "nonsense"}).content
    assert 'data-verdict="unknown"' in unknown
    assert strip(unknown) == strip(malformed.decode()) == strip(typed.decode())
    assert_reveals_nothing(unknown, report)


def test_another_organisations_report_shows_no_more_to_a_signed_in_outsider(client, issued):
    report, content = issued
    client.force_login(User.objects.get(username="intruder"))
    for response in (
        client.get(reverse("reports:public_verify_code", args=[report.verification_code])),
        upload(client, content),
    ):
        assert response.status_code == 200
        assert_reveals_nothing(response.content.decode(), report)


def test_a_report_that_is_not_ready_is_unknown(client, assessment, officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    page = client.get(reverse("reports:public_verify_code", args=[report.verification_code]))
    assert 'data-verdict="unknown"' in page.content.decode()


def test_an_empty_form_names_what_is_missing(client, issued):
    response = client.post(reverse("reports:public_verify"), {})
    assert response.status_code == 400
    assert "verification code" in response.content.decode()


def test_checks_are_rate_limited_per_address(client, issued, settings):
    settings.PUBLIC_VERIFY_LIMIT = 3
    url = reverse("reports:public_verify_code", args=["B" * 24])
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.post(reverse("reports:public_verify"), {"code": "B" * 24}).status_code == 429
    # Another address has its own allowance; the empty form is never limited.
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get(reverse("reports:public_verify")).status_code == 200


def test_an_unreachable_rate_limit_cache_lets_the_check_through(client, issued, caplog):
    """Production shares the counter in Redis; with Redis down the page still answers."""
    redis_down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    report, content = issued
    url = reverse("reports:public_verify_code", args=[report.verification_code])
    with override_settings(CACHES=redis_down):
        response = client.get(url)
    assert response.status_code == 200
    assert "cache unreachable" in caplog.text


def test_query_counts(client, issued, django_assert_num_queries):
    report, content = issued
    with django_assert_num_queries(0):
        client.get(reverse("reports:public_verify"))
        client.get(reverse("reports:public_verify_code", args=["not-a-code"]))
    with django_assert_num_queries(1):
        client.get(reverse("reports:public_verify_code", args=[report.verification_code]))
    with django_assert_num_queries(1):
        upload(client, content)


def test_the_cover_carries_the_code_and_a_qr_code_of_the_public_url(issued, settings):
    report, content = issued
    meta = report_meta(report)
    assert meta["verification_code"] == report.verification_code
    assert meta["verification_url"] == (
        f"{settings.PUBLIC_BASE_URL}/verify/{report.verification_code}/"
    )
    assert meta["qr_svg"].startswith("<svg") and "<path" in meta["qr_svg"]
    text = subprocess.run(
        ["pdftotext", "-l", "1", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert report.verification_code in text


def test_every_report_gets_its_own_unguessable_code(assessment, officer):
    codes = {
        report_request(actor=officer, assessment=assessment, language="en").verification_code
        for _ in range(5)
    }
    assert len(codes) == 5 and all(re.fullmatch(r"[A-Z2-7]{24}", c) for c in codes)

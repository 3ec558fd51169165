"""Logs carry the request id; /metrics shows request latency and report figures, to the scraper's
token or staff only."""

import json
import logging
from pathlib import Path
from unittest import mock

import pytest

from portal.log import RequestIdFilter
from reports.models import Report, ReportStatus
from reports.services import report_render, report_request
from reports.tasks import report_render_task
from tests.support import run_with_production_settings

ROOT = Path(__file__).resolve().parents[2]


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.mark.django_db
def test_a_log_record_written_in_a_request_carries_its_request_id(client):
    handler = Collect()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-log-42")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404 and response["X-Request-ID"] == "req-log-42"
    assert [record.request_id for record in handler.records] == ["req-log-42"]
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    RequestIdFilter().filter(outside)
    assert outside.request_id == "-"


def test_production_logs_are_json_lines_with_the_request_id():
    code = (
        "import django, logging; django.setup(); "
        "from portal.request_context import request_id_var; request_id_var.set('req-json-7'); "
        "logging.getLogger('reports.services').warning('broker unreachable')"
    )
    result = run_with_production_settings(code)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "broker unreachable" and line["request_id"] == "req-json-7"
    assert line["levelname"] == "WARNING" and line["name"] == "reports.services"


@pytest.fixture
def some_reports(assessment, officer):
    with mock.patch.object(report_render_task, "apply_async"):
        done = report_request(actor=officer, assessment=assessment, language="en")
        report_render(report_id=done.pk, worker="t:1")
        report_request(actor=officer, assessment=assessment, language="ja")
        report_request(actor=officer, assessment=assessment, language="en")
    Report.objects.filter(pk=done.pk).update(render_seconds=1.5)
    return done


@pytest.mark.django_db
def test_metrics_show_latency_queue_depth_and_render_seconds_to_the_scraper(
    client, settings, some_reports
):
    settings.METRICS_TOKEN = "scrape-me"
    client.get("/livez")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    text = response.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    assert 'tekigo_report_queue_depth{status="queued"} 2.0' in text
    assert 'tekigo_report_queue_depth{status="rendering"} 0.0' in text
    assert "tekigo_report_render_seconds_count 1.0" in text
    assert "tekigo_report_render_seconds_sum 1.5" in text
    assert Report.objects.filter(status=ReportStatus.QUEUED).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "header", "status"),
    [
        ("anonymous", None, 403),
        ("anonymous", "Bearer wrong", 403),
        ("anonymous", "Bearer ", 403),
        ("officer", None, 403),
        ("staff", None, 200),
        ("anonymous", "Bearer scrape-me", 200),
    ],
)
def test_metrics_are_not_public(client, settings, officer, staff, who, header, status):
    settings.METRICS_TOKEN = "scrape-me"
    if who != "anonymous":
        client.force_login({"officer": officer, "staff": staff}[who])
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get("/metrics", **extra).status_code == status


@pytest.mark.django_db
def test_without_a_configured_token_no_bearer_token_opens_metrics(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403

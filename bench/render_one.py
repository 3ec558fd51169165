"""Render one report in a fresh process and print JSON: pages, seconds, peak memory, and the
same HTML through WeasyPrint alone. Called by bench.py (a subprocess keeps peak memory honest)."""

import io
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.bench")
import django  # noqa: E402

django.setup()

from weasyprint import HTML  # noqa: E402

from assessments.models import Assessment  # noqa: E402
from portal.models import User  # noqa: E402
from reports.rendering import BASE_URL, StaticOnlyFetcher, report_html_render  # noqa: E402
from reports.services import report_meta, report_render, report_request  # noqa: E402

assessment_id, language = int(sys.argv[1]), sys.argv[2]
assessment = Assessment.objects.select_related("organisation").get(pk=assessment_id)
# Warm up fonts and caches once, untimed, so that neither measurement pays for the first load.
HTML(string="<p style='font-family: Noto Sans CJK JP'>準備 warm-up</p>").write_pdf(io.BytesIO())
report = report_request(
    actor=User.objects.get(username="loadtest"), assessment=assessment, language=language
)
started = time.perf_counter()
report = report_render(report_id=report.pk, worker="bench:1")
pipeline = time.perf_counter() - started
html = report_html_render(
    snapshot=report.snapshot, language=language, report_meta=report_meta(report), for_pdf=True
)
started = time.perf_counter()
HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(io.BytesIO())
alone = time.perf_counter() - started
print(
    json.dumps(
        {
            "pages": report.pages,
            "pipeline_s": pipeline,
            "weasyprint_s": alone,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "status": report.status,
        }
    )
)

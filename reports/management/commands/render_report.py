import hashlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments.models import Assessment
from portal.stack import call_with_stack_room
from reports.analysis import gap_analysis_compute, snapshot_sha256
from reports.rendering import report_html_render, report_pdf_render


class Command(BaseCommand):
    help = "Render an assessment's gap report to a PDF file without a worker (nothing is stored)."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--lang", choices=["ja", "en"], default="ja")
        parser.add_argument("--output", "-o", required=True, help="PDF file to write")

    def handle(self, *args, assessment_id, lang, output, **options):
        assessment = (
            Assessment.objects.select_related("organisation").filter(pk=assessment_id).first()
        )
        if assessment is None:
            raise CommandError(f"no assessment {assessment_id}")
        started = time.perf_counter()
        snapshot = gap_analysis_compute(assessment=assessment)
        meta = {
            "report_id": "—",
            "issued_at": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"),
            "snapshot_sha256": snapshot_sha256(snapshot),
        }
        html = report_html_render(snapshot=snapshot, language=lang, report_meta=meta, for_pdf=True)
        pdf = call_with_stack_room(report_pdf_render, html=html)
        Path(output).write_bytes(pdf.content)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{output}: {pdf.pages} pages, {seconds:.2f} s (WeasyPrint {pdf.seconds:.2f} s), sha256 {hashlib.sha256(pdf.content).hexdigest()}"
        )

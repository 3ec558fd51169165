"""Time the report signature on its own, on the demo assessment's report.

    uv run --frozen python bench/signing.py        # about 30 s: seeds a throwaway SQLite first

Prints the report's pages and WeasyPrint time, the first signature in a fresh process (pyHanko
imports and the key load), the median of warm signatures, the median signature check, and the
whole pipeline (``report_render``: render, sign, store) for the same report.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The development settings: seed_demo runs only with DEBUG on. Its own database and media.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.development")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # nothing is dispatched
os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench" / "signing-media"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'signing.sqlite3'}")
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from assessments.management.commands.seed_demo import DEMO_ASSESSMENT  # noqa: E402
from assessments.models import Assessment  # noqa: E402
from portal.models import User  # noqa: E402
from reports.rendering import collector_paused, report_html_render, report_pdf_render  # noqa: E402
from reports.services import report_meta, report_render, report_request  # noqa: E402

RUNS = 7


def main() -> None:
    Path(os.environ["DATABASE_URL"].removeprefix("sqlite://")).parent.mkdir(
        parents=True, exist_ok=True
    )
    call_command("migrate", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assessment = Assessment.objects.get(name=DEMO_ASSESSMENT)
    officer = User.objects.get(username="officer")
    for language in ("ja", "en"):
        report = report_request(actor=officer, assessment=assessment, language=language)
        html = report_html_render(
            snapshot=report.snapshot,
            language=language,
            report_meta=report_meta(report),
            for_pdf=True,
        )
        with collector_paused():  # as report_render runs it
            pdf = report_pdf_render(html=html)
        from reports.signing import pdf_signature_check
        from reports.verification import report_pdf_sign

        started = time.perf_counter()
        signed = report_pdf_sign(report=report, content=pdf.content)
        first = time.perf_counter() - started
        signs, checks = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            signed = report_pdf_sign(report=report, content=pdf.content)
            signs.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert pdf_signature_check(signed).is_valid
            checks.append(time.perf_counter() - started)
        started = time.perf_counter()
        rendered = report_render(report_id=report.pk, worker="bench:signing")
        pipeline = time.perf_counter() - started
        print(
            f"{language}: {pdf.pages} pages, {len(pdf.content) / 1024:.0f} KiB; WeasyPrint "
            f"{pdf.seconds:.2f} s; first signature in the process {first:.2f} s; signature "
            f"median {statistics.median(signs) * 1000:.0f} ms (of {RUNS}); check median "
            f"{statistics.median(checks) * 1000:.0f} ms; report_render with signing "
            f"{pipeline:.2f} s ({rendered.status}, including the collection after ready)"
        )


if __name__ == "__main__":
    main()

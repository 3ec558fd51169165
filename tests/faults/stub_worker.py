"""The Celery app for the embedded-broker burst test's worker, with WeasyPrint replaced by a
stand-in PDF: the test is about the broker delivering each task exactly once, and 50 real renders
on a shared 2-core machine take minutes. Everything else (claim, audit, file, status) is real.

Run as ``celery -A tests.faults.stub_worker worker ...``.
"""

import django

from portal.celery import app  # noqa: F401  (the app celery -A loads)

django.setup()  # the reports modules below need the app registry

from reports import services  # noqa: E402
from reports.rendering import RenderedPDF  # noqa: E402

STAND_IN_PDF = b"%PDF-1.4\n% stand-in for the burst test\n%%EOF\n"


def _stand_in_render(*, html: str, **_options) -> RenderedPDF:
    return RenderedPDF(STAND_IN_PDF, 1, 0.001)


def _stand_in_sign(*, report, content: bytes) -> bytes:
    return content  # signing is tested on its own; this worker proves the broker


services.report_pdf_render = _stand_in_render
services.report_pdf_sign = _stand_in_sign

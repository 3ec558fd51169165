"""The gap list as a spreadsheet: .xlsx (openpyxl) and CSV in UTF-8 with a BOM, so that Excel
opens Japanese text correctly when the file is double-clicked.

Example row (English)::

    APPI 20220401 | Art. 26 | Reporting leaks | High | Gap | 0% | Binding | Set up a procedure…

Both formats come from :func:`gap_rows`, built from the same analysis as the PDF, so a
spreadsheet never disagrees with a report taken at the same moment.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.snapshot import ReportSnapshot
from reports.templatetags.report_tags import percent, severity_label, status_label, strength_label

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDTHS = [22, 14, 40, 10, 16, 8, 22, 60]


def gap_rows(snapshot: ReportSnapshot, language: str) -> tuple[list[str], list[list[Any]]]:
    """Headers and one row per gap (most severe first), in ``language``."""
    ja = language.startswith("ja")
    with translation.override("ja" if ja else "en"):
        headers = [
            _("Framework"),
            _("Reference"),
            _("Provision"),
            _("Severity"),
            _("Status"),
            _("Score"),
            _("Strength"),
            _("What to do"),
        ]
        rows = []
        for gap in snapshot.gaps:
            remediation = [
                q.remediation_ja if ja else q.remediation_en
                for q in gap.questions
                if q.score is not None and q.score < 1
            ]
            rows.append(
                [
                    gap.framework_short_ja if ja else gap.framework_short_en,
                    (gap.ref_ja or gap.ref) if ja else gap.ref,
                    gap.title_ja if ja else gap.title_en,
                    str(severity_label(gap.severity)),
                    str(status_label(gap.status)),
                    percent(gap.score),
                    str(strength_label(gap.strength)),
                    "\n".join(remediation),
                ]
            )
    return [str(h) for h in headers], rows


def gaps_csv(snapshot: ReportSnapshot, language: str) -> bytes:
    headers, rows = gap_rows(snapshot, language)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def gaps_xlsx(snapshot: ReportSnapshot, language: str) -> bytes:
    headers, rows = gap_rows(snapshot, language)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ギャップ" if language.startswith("ja") else "Gaps"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

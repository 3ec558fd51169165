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

from reports.labels import percent, severity_label, status_label, strength_label
from reports.snapshot import ReportSnapshot

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
            # The questions the report's gap lists (ProvisionResult.gap_questions): the same
            # rule, so a required question left unanswered has its remediation here too.
            remediation = [q.remediation_ja if ja else q.remediation_en for q in gap.gap_questions]
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
    return _csv(*gap_rows(snapshot, language))


def gaps_xlsx(snapshot: ReportSnapshot, language: str) -> bytes:
    headers, rows = gap_rows(snapshot, language)
    return _xlsx("ギャップ" if language.startswith("ja") else "Gaps", headers, rows, WIDTHS)


# --- The action plan ---------------------------------------------------------------------------

ACTION_WIDTHS = [40, 14, 16, 12, 10, 30, 30, 40]


def action_rows(actions, language: str) -> tuple[list[str], list[list[Any]]]:
    """Headers and one row per remediation action (overdue first, as the action plan lists them).

    ``actions`` comes from :func:`assessments.selectors.action_list`, whose rows carry
    ``is_overdue`` and their linked provisions and questions already loaded.
    """
    ja = language.startswith("ja")
    with translation.override("ja" if ja else "en"):
        headers = [
            _("Action"),
            _("Owner"),
            _("Status"),
            _("Due date"),
            _("Overdue"),
            _("Provisions"),
            _("Questions"),
            _("Description"),
        ]
        yes = _("Yes")
        rows = [
            [
                action.title,
                action.owner.get_username() if action.owner_id else "",
                str(action.get_status_display()),
                action.due_date.isoformat() if action.due_date else "",
                yes if getattr(action, "is_overdue", False) else "",
                "; ".join(p.ref_in(language) for p in action.provisions.all()),
                "; ".join(q.prompt_ja if ja else q.prompt_en for q in action.questions.all()),
                action.description,
            ]
            for action in actions
        ]
    return [str(h) for h in headers], rows


def _csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _xlsx(title: str, headers: list[str], rows: list[list[Any]], widths: list[int]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def actions_csv(actions, language: str) -> bytes:
    return _csv(*action_rows(actions, language))


def actions_xlsx(actions, language: str) -> bytes:
    headers, rows = action_rows(actions, language)
    return _xlsx(
        "対応計画" if language.startswith("ja") else "Action plan", headers, rows, ACTION_WIDTHS
    )

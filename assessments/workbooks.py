"""The questionnaire as an Excel workbook: exported for officers who fill it offline, read back in.

One sheet per pinned framework version, one row per question of an applicable provision. The
first column holds the question's URN, which is how a row finds its question again; the answer
column takes the choice labels in either language (or the choice keys), so a workbook exported
in Japanese can be filled by an English-speaking colleague. Example row::

    urn:tekigo:fw:appi:q:art-26-procedure | 第26条 | 漏えい等が発生した場合の… | Do you have… |
    はい / 一部 / いいえ | 一部 | 草案あり | | | breach-procedure.pdf | 3 | 要確認

Reading never writes: :func:`questionnaire_workbook_read` returns the rows that change an answer
and every problem found, each with its sheet, row and column. The service
``assessments.services.answers_workbook_import`` writes them, all or nothing.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessments.answer_values import answer_value_clean, answer_value_labels
from assessments.models import Answer, Assessment, ReviewStatus
from assessments.selectors import questionnaire_build, review_attach
from frameworks.choices import CHOICE_QUESTION_TYPES, QuestionType

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A workbook larger than this is not one Tekigo wrote (the largest assessment is far smaller).
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000

#: (key, header, width). The order is the column order; the key names the column in errors.
COLUMNS = [
    ("urn", gettext_lazy("Question ID"), 28),
    ("ref", gettext_lazy("Reference"), 14),
    ("prompt_ja", gettext_lazy("Question (Japanese)"), 50),
    ("prompt_en", gettext_lazy("Question (English)"), 50),
    ("choices", gettext_lazy("Choices"), 28),
    ("answer", gettext_lazy("Answer"), 28),
    ("comment", gettext_lazy("Comment"), 36),
    ("not_applicable", gettext_lazy("Not applicable"), 12),
    ("justification", gettext_lazy("Justification"), 30),
    ("evidence", gettext_lazy("Evidence"), 24),
    ("revision", gettext_lazy("Revision"), 9),
    ("review", gettext_lazy("Review status"), 14),
]
COLUMN_INDEX = {key: index for index, (key, _h, _w) in enumerate(COLUMNS)}
YES = {"はい", "yes", "y", "true", "1", "○", "x"}
NO = {"", "いいえ", "no", "n", "false", "0"}
#: Labels may hold commas (「行っており、届出…」, "Yes, but…"): several answers are separated by
#: semicolons or line breaks only.
MULTIPLE_SEPARATOR = "; "
SEPARATORS = ("；", ";", "\n")


def _column(key: str) -> str:
    return get_column_letter(COLUMN_INDEX[key] + 1)


def _sheet_title(short_name: str, version: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = (
        "".join(c for c in f"{short_name} {version}" if c not in "[]:*?/\\")[:31].strip() or "Sheet"
    )
    title, n = base, 2
    while title in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def _choice_labels(question, language: str) -> list[str]:
    return [c[f"label_{language}"] for c in question.choices]


def _answer_cell(question, answer: Answer | None, language: str) -> Any:
    if answer is None or answer.not_applicable or answer.value in (None, "", []):
        return None
    if question.type in CHOICE_QUESTION_TYPES:
        labels = {c["key"]: c[f"label_{language}"] for c in question.choices}
        values = answer.value if isinstance(answer.value, list) else [answer.value]
        return MULTIPLE_SEPARATOR.join(labels.get(v, v) for v in values)
    return answer.value


# --- Export ------------------------------------------------------------------------------------


def _review_cell(block, answer, verdicts: dict[str, str], needs_review: str) -> str | None:
    """The auditor's verdict on the answer (accepted, query, rejected), and whether an upgrade
    marked it for review."""
    parts = []
    if block.review is not None:
        parts.append(verdicts.get(block.review.status, block.review.status))
    if answer is not None and answer.needs_review:
        parts.append(needs_review)
    return " / ".join(parts) or None


def questionnaire_workbook_build(*, assessment: Assessment, language: str) -> bytes:
    """The assessment's questionnaire as an .xlsx file, headers and labels in ``language``.

    Frozen header row, a drop-down of the offered answers on single-choice questions and of
    yes/no on "not applicable", wrapped text and column widths that fit the content.
    """
    language = "en" if language.startswith("en") else "ja"
    questionnaire = questionnaire_build(assessment=assessment)
    review_attach(questionnaire=questionnaire)  # the auditor's verdict per question
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE4F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    yes_label, no_label = ("はい", "いいえ") if language == "ja" else ("Yes", "No")
    with translation.override(language):
        headers = [str(header) for _key, header, _width in COLUMNS]
        needs_review = _("Needs review")
        verdicts = {value: str(label) for value, label in ReviewStatus.choices}
    for framework in questionnaire.frameworks:
        version = framework.pin.version
        short = version.short_name_ja if language == "ja" else version.short_name_en
        sheet = workbook.create_sheet(_sheet_title(short, version.version, used))
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font, cell.fill, cell.alignment = header_font, header_fill, wrap
        sheet.freeze_panes = "B2"
        for index, (_key, _header, width) in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        na_validation = DataValidation(
            type="list", formula1=f'"{yes_label},{no_label}"', allow_blank=True
        )
        sheet.add_data_validation(na_validation)
        row = 1
        for top in framework.sections:
            for section in top.walk():
                for provision_block in section.provisions:
                    if not provision_block.applicability.applies:
                        continue
                    provision = provision_block.provision
                    for block in provision_block.questions:
                        question, answer = block.question, block.answer
                        row += 1
                        labels = _choice_labels(question, language) if question.choices else []
                        sheet.append(
                            [
                                question.urn,
                                provision.ref_in(language),
                                question.prompt_ja,
                                question.prompt_en,
                                "\n".join(labels),
                                _answer_cell(question, answer, language),
                                answer.comment if answer else None,
                                yes_label if answer and answer.not_applicable else None,
                                answer.justification if answer and answer.not_applicable else None,
                                "\n".join(e.original_name for e in block.evidence) or None,
                                answer.revision if answer else 0,
                                _review_cell(block, answer, verdicts, needs_review),
                            ]
                        )
                        for cell in sheet[row]:
                            cell.alignment = wrap
                        na_validation.add(f"{_column('not_applicable')}{row}")
                        if question.type in (
                            QuestionType.YES_NO_PARTIAL,
                            QuestionType.SINGLE_CHOICE,
                        ):
                            quoted = ",".join(label.replace('"', "'") for label in labels)
                            if len(quoted) <= 250:  # Excel's limit for an inline list
                                choice_validation = DataValidation(
                                    type="list", formula1=f'"{quoted}"', allow_blank=True
                                )
                                sheet.add_data_validation(choice_validation)
                                choice_validation.add(f"{_column('answer')}{row}")
    if not workbook.worksheets:
        workbook.create_sheet("Tekigo")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """One problem in an uploaded workbook, where the officer can find it."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    @property
    def where(self) -> str:
        if self.row is None:
            return self.sheet
        return f"{self.sheet}!{self.column or ''}{self.row}"


@dataclass
class WorkbookRow:
    """A row that changes an answer: the question, what to save, and where it came from."""

    question_id: int
    sheet: str
    row: int
    value: Any
    comment: str
    not_applicable: bool
    justification: str
    revision: int


@dataclass
class WorkbookImport:
    rows: list[WorkbookRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    unchanged: int = 0


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _parse_answer(question, raw: Any) -> Any:
    """The workbook cell as the value the answer validator expects (keys for choices)."""
    if raw is None or _text(raw) == "":
        return None
    if question.type in CHOICE_QUESTION_TYPES:
        by_label: dict[str, str] = {}
        for choice in question.choices:
            for name in (choice["key"], choice["label_ja"], choice["label_en"]):
                by_label[name.strip().casefold()] = choice["key"]
        text = _text(raw)
        parts = [text]
        if question.type == QuestionType.MULTIPLE_CHOICE:
            for separator in SEPARATORS:
                parts = [p for part in parts for p in part.split(separator)]
        keys = []
        for part in (p.strip() for p in parts):
            if not part:
                continue
            key = by_label.get(part.casefold())
            if key is None:
                offered = " / ".join(
                    _choice_labels(question, "ja") + _choice_labels(question, "en")
                )
                raise ValidationError(
                    {
                        "answer": _("“%(value)s” is not one of the offered answers (%(offered)s).")
                        % {"value": part, "offered": offered}
                    }
                )
            keys.append(key)
        return (
            keys if question.type == QuestionType.MULTIPLE_CHOICE else (keys[0] if keys else None)
        )
    if question.type == QuestionType.NUMBER:
        return raw if isinstance(raw, (int, float)) else _text(raw)
    return _text(raw)


def _current(answer: Answer | None) -> tuple:
    if answer is None:
        return (None, "", False, "")
    return (answer.value, answer.comment, answer.not_applicable, answer.justification)


def _shown(question, state: tuple, language: str) -> str:
    value, comment, not_applicable, justification = state
    if not_applicable:
        text = _("Not applicable") + f" ({justification})"
    else:
        text = (
            answer_value_labels(question, value, language)
            if value not in (None, "", [])
            else _("(no answer)")
        )
    return f"{text} / {comment}" if comment else text


def questionnaire_workbook_read(
    *, assessment: Assessment, content: bytes, language: str = "ja"
) -> WorkbookImport:
    """Check an uploaded workbook against the assessment, writing nothing.

    Every row is validated: an unknown question, an answer that is not offered, a value of the
    wrong kind, and a revision older than the answer's current one (someone changed it in Tekigo
    since the export: both values are shown) are errors with sheet, row and column. Rows that
    would change nothing are counted, not returned.
    """
    result = WorkbookImport()
    if len(content) > MAX_WORKBOOK_BYTES:
        result.errors.append(
            CellError(_("Workbook"), None, None, _("The file is larger than 10 MB."))
        )
        return result
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        result.errors.append(
            CellError(_("Workbook"), None, None, _("This is not an Excel workbook (.xlsx)."))
        )
        return result
    questionnaire = questionnaire_build(assessment=assessment)
    by_urn = {block.question.urn: block for block in questionnaire.questions.values()}
    seen: dict[str, str] = {}
    total = 0
    for sheet in workbook.worksheets:
        for row_number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = list(cells) + [None] * (len(COLUMNS) - len(cells))
            if all(c is None or _text(c) == "" for c in cells):
                continue
            total += 1
            if total > MAX_ROWS:
                result.errors.append(CellError(sheet.title, row_number, None, _("Too many rows.")))
                return result

            def error(key: str | None, message: str, _sheet=sheet.title, _row=row_number) -> None:
                result.errors.append(
                    CellError(_sheet, _row, _column(key) if key else None, message)
                )

            urn = _text(cells[COLUMN_INDEX["urn"]])
            block = by_urn.get(urn)
            if block is None:
                error(
                    "urn", _("No question %(urn)s in this assessment.") % {"urn": urn[:200] or "—"}
                )
                continue
            if urn in seen:
                error("urn", _("This question is also on %(where)s.") % {"where": seen[urn]})
                continue
            seen[urn] = f"{sheet.title}!{row_number}"
            question, answer = block.question, block.answer
            na_text = _text(cells[COLUMN_INDEX["not_applicable"]]).casefold()
            if na_text not in YES and na_text not in NO:
                error("not_applicable", _("Write Yes or No."))
                continue
            not_applicable = na_text in YES
            justification = _text(cells[COLUMN_INDEX["justification"]])
            comment = _text(cells[COLUMN_INDEX["comment"]])
            try:
                raw = _parse_answer(question, cells[COLUMN_INDEX["answer"]])
                value = answer_value_clean(question, raw)
            except ValidationError as exc:
                error("answer", " ".join(m for ms in exc.message_dict.values() for m in ms))
                continue
            if not_applicable and not justification:
                error("justification", _("Say why this question does not apply to you."))
                continue
            if len(comment) > 10_000 or len(justification) > 10_000:
                error("comment", _("Keep comments under 10,000 characters."))
                continue
            revision_text = _text(cells[COLUMN_INDEX["revision"]]) or "0"
            if not revision_text.isdigit() or len(revision_text) > 9:
                error("revision", _("Leave the revision as exported."))
                continue
            revision = int(revision_text)
            wanted = (
                None if not_applicable else value,
                comment,
                not_applicable,
                justification if not_applicable else "",
            )
            current = _current(answer)
            if wanted == current and not (answer and answer.needs_review):
                result.unchanged += 1
                continue
            current_revision = answer.revision if answer else 0
            if revision != current_revision:
                error(
                    "revision",
                    _(
                        "Changed in Tekigo since this workbook was exported (revision %(old)d → %(new)d). In Tekigo: %(theirs)s. In the workbook: %(yours)s."
                    )
                    % {
                        "old": revision,
                        "new": current_revision,
                        "theirs": _shown(question, current, language),
                        "yours": _shown(question, wanted, language),
                    },
                )
                continue
            result.rows.append(
                WorkbookRow(
                    question_id=question.pk,
                    sheet=sheet.title,
                    row=row_number,
                    value=raw,
                    comment=comment,
                    not_applicable=not_applicable,
                    justification=justification,
                    revision=revision,
                )
            )
    workbook.close()
    return result

"""Marking a whole section not applicable with one justification."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from assessments.models import (
    Answer,
    Assessment,
)
from assessments.selectors import (
    questionnaire_build,
)
from portal.models import User

from .answers import AnswerInput
from .bulk import answers_bulk_save

# --- A whole section not applicable ----------------------------------------------------------


def section_not_applicable(
    *, actor: User, assessment: Assessment, section_id: int, justification: str
) -> list[Answer]:
    """Mark every applicable question of a section (subsections included) not applicable, with
    one justification, all or nothing (through :func:`answers_bulk_save`, so each answer gets its
    revision and audit row). Example: "We do not transfer personal data abroad" for the APPI
    chapter on cross-border transfers."""
    from assessments.selectors import pins_of
    from assessments.selectors.assignments import _section_question_ids
    from frameworks.selectors import version_content_list

    justification = (justification or "").strip()
    if not justification:
        raise ValidationError({"justification": _("Say why the section does not apply.")})
    sections, provisions, questions = version_content_list(
        versions=[p.version for p in pins_of(assessment)]
    )
    covered = _section_question_ids(sections, provisions, questions).get(section_id)
    if covered is None:
        raise ValidationError({"section": _("No such section in this assessment.")})
    questionnaire = questionnaire_build(assessment=assessment)
    items = [
        (qid, AnswerInput(not_applicable=True, justification=justification))
        for qid, block in questionnaire.questions.items()
        if qid in covered and block.counts
    ]
    return answers_bulk_save(actor=actor, assessment=assessment, items=items)

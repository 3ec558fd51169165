"""Validating an answer's value against its question type.

Each question type accepts one shape of value; anything else is a
ValidationError on the ``value`` field with a message the officer can act on.

    >>> answer_value_clean(question_of_type("number"), "12.5")
    12.5
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from frameworks.choices import QuestionType
from frameworks.models import Question

MAX_TEXT = 10_000
NUMBER_LIMIT = 1e15


def answer_value_clean(question: Question, raw: Any) -> Any:
    """The stored form of ``raw`` for ``question``; ``None`` means "not answered yet"."""
    if raw in (None, "", []):
        return None
    keys = [c["key"] for c in question.choices]
    kind = question.type
    if kind in (QuestionType.YES_NO_PARTIAL, QuestionType.SINGLE_CHOICE):
        if not isinstance(raw, str) or raw not in keys:
            raise ValidationError({"value": _("Choose one of the offered answers.")})
        return raw
    if kind == QuestionType.MULTIPLE_CHOICE:
        values = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(v, str) and v in keys for v in values):
            raise ValidationError({"value": _("Choose only among the offered answers.")})
        return [k for k in keys if k in values]  # stable order, no duplicates
    if kind == QuestionType.TEXT:
        if not isinstance(raw, str):
            raise ValidationError({"value": _("Enter text.")})
        text = raw.strip()
        if len(text) > MAX_TEXT:
            raise ValidationError(
                {"value": _("Keep the answer under %(n)d characters.") % {"n": MAX_TEXT}}
            )
        return text or None
    if kind == QuestionType.NUMBER:
        try:
            number = float(raw) if not isinstance(raw, bool) else math.nan
        except (TypeError, ValueError):
            raise ValidationError({"value": _("Enter a number.")}) from None
        if not math.isfinite(number) or abs(number) > NUMBER_LIMIT:
            raise ValidationError({"value": _("Enter a number between -10^15 and 10^15.")})
        return int(number) if number.is_integer() else number
    if kind == QuestionType.DATE:
        try:
            date = dt.date.fromisoformat(str(raw))
        except ValueError:
            raise ValidationError({"value": _("Enter a date as YYYY-MM-DD.")}) from None
        if not 1900 <= date.year <= 2100:
            raise ValidationError({"value": _("Enter a date between 1900 and 2100.")})
        return date.isoformat()
    raise ValidationError({"value": _("This question cannot be answered.")})


def answer_value_labels(question: Question, value: Any, language: str) -> str:
    """How a reader reads a stored value: the chosen answers' labels in ``language`` ("ja" or
    "en"), joined as that language lists things; other values as they are.

    >>> answer_value_labels(question, ["web", "paper"], "ja")
    'ウェブ、紙'
    """
    if value in (None, "", []):
        return ""
    labels = {c["key"]: c[f"label_{language}"] for c in question.choices}
    values = value if isinstance(value, list) else [value]
    return ("、" if language == "ja" else ", ").join(str(labels.get(v, v)) for v in values)

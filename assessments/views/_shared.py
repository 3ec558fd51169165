"""Helpers shared by the assessment pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language


def _assessment_url(assessment) -> str:
    """The assessment's URL, to which the question templates append their paths.

    One reverse() per page instead of four per question: on a page of 160 questions that was
    a fifth of the rendering time (bench/README.md).
    """
    return reverse("assessments:detail", args=[assessment.pk])


def _language() -> str:
    return get_language() or "ja"

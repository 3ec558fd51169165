"""Helpers shared by the assessment API views."""

from __future__ import annotations

from assessments import selectors
from assessments.models import (
    Assessment,
)

from .serializers import AssessmentOutput

# --- Helpers ---------------------------------------------------------------------------------


def _access(
    request, pk: int, *, write: bool = False, review: bool = False
) -> selectors.AssessmentAccess:
    return selectors.access_assessment(user=request.user, pk=pk, write=write, review=review)


def _detail(assessment: Assessment) -> dict:
    return AssessmentOutput(selectors.assessment_get(pk=assessment.pk)).data

"""Assessments: an organisation's answers to the questions of pinned framework versions."""

from assessments.models.answers import Answer, Evidence
from assessments.models.assessments import (
    LOCKED_STATUSES,
    Assessment,
    AssessmentFramework,
    AssessmentStatus,
)
from assessments.models.reviews import (
    OPEN_REVIEW_STATUSES,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
)

__all__ = [
    "LOCKED_STATUSES",
    "OPEN_REVIEW_STATUSES",
    "Answer",
    "Assessment",
    "AssessmentFramework",
    "AssessmentStatus",
    "Evidence",
    "QuestionReview",
    "ReviewComment",
    "ReviewStatus",
]

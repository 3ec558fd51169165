"""Assessments: an organisation's answers to the questions of pinned framework versions."""

from assessments.models.actions import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionEvidence,
    ActionStatus,
)
from assessments.models.answers import Answer, Evidence
from assessments.models.assessments import (
    LOCKED_STATUSES,
    Assessment,
    AssessmentFramework,
    AssessmentStatus,
)
from assessments.models.assignments import Assignment
from assessments.models.reviews import (
    OPEN_REVIEW_STATUSES,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
)

__all__ = [
    "ACTION_OPEN_STATUSES",
    "LOCKED_STATUSES",
    "OPEN_REVIEW_STATUSES",
    "Action",
    "ActionEvidence",
    "ActionStatus",
    "Answer",
    "Assessment",
    "AssessmentFramework",
    "AssessmentStatus",
    "Assignment",
    "Evidence",
    "QuestionReview",
    "ReviewComment",
    "ReviewStatus",
]

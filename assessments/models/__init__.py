"""Assessments: an organisation's answers to the questions of pinned framework versions."""

from assessments.models.answers import Answer, Evidence
from assessments.models.assessments import Assessment, AssessmentFramework, AssessmentStatus

__all__ = ["Answer", "Assessment", "AssessmentFramework", "AssessmentStatus", "Evidence"]

"""Questionnaire selectors: what counts as missing before submission."""

from assessments.selectors import QuestionBlock
from frameworks.choices import Strength
from frameworks.models import Provision, Question


def _block(strength: str) -> QuestionBlock:
    question = Question(required=True)
    question.provision = Provision(strength=strength)
    return QuestionBlock(question, None, provision_applies=True)


def test_a_required_unanswered_question_is_missing():
    assert _block(Strength.BINDING).missing


def test_a_question_about_a_reported_claim_is_never_required_for_submission():
    assert not _block(Strength.REPORTED).missing

"""The questionnaire: questions grouped by framework, section and provision, with progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from assessments.models import (
    Answer,
    Assessment,
    AssessmentFramework,
    Evidence,
    QuestionReview,
    ReviewComment,
)
from frameworks.applicability import Evaluation, profile_key, provision_applicability
from frameworks.choices import Strength
from frameworks.models import Provision, Question, Section
from frameworks.selectors import version_content_list

from .lists import pins_of

# --- The questionnaire -----------------------------------------------------------------------


@dataclass
class Progress:
    answered: int = 0
    applicable: int = 0

    @property
    def percent(self) -> int:
        return 100 if self.applicable == 0 else round(100 * self.answered / self.applicable)

    def add(self, other: Progress) -> None:
        self.answered += other.answered
        self.applicable += other.applicable


@dataclass
class QuestionBlock:
    question: Question
    answer: Answer | None
    provision_applies: bool
    visible: bool = True
    evidence: list[Evidence] = field(default_factory=list)
    #: The auditor's verdict and the review thread, when the page asks for them (review_attach).
    review: QuestionReview | None = None
    comments: list[ReviewComment] = field(default_factory=list)

    @property
    def is_answered(self) -> bool:
        """Answered and confirmed: an answer copied by a roll-forward counts only once a person
        has saved it again (issue 12), so progress, the missing list and the sidebar agree."""
        return self.answer is not None and self.answer.is_confirmed_answer

    @property
    def needs_reconfirm(self) -> bool:
        """Copied from the previous assessment and not confirmed yet: shown with a badge."""
        return self.answer is not None and self.answer.reconfirm_required

    @property
    def counts(self) -> bool:
        """Applicable and shown: it counts towards progress."""
        return self.provision_applies and self.visible

    @property
    def missing(self) -> bool:
        """Required, applicable, shown and unanswered. A question about a reported claim is never
        required for submission, whatever its flag: a claim is not law (issue 10, point 17)."""
        return (
            self.counts
            and self.question.required
            and self.question.provision.strength != Strength.REPORTED
            and not self.is_answered
        )


@dataclass
class ProvisionBlock:
    provision: Provision
    applicability: Evaluation
    questions: list[QuestionBlock] = field(default_factory=list)


@dataclass
class SectionBlock:
    section: Section
    provisions: list[ProvisionBlock] = field(default_factory=list)
    children: list[SectionBlock] = field(default_factory=list)
    progress: Progress = field(default_factory=Progress)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class FrameworkBlock:
    pin: AssessmentFramework
    sections: list[SectionBlock]
    progress: Progress = field(default_factory=Progress)


@dataclass
class Questionnaire:
    assessment: Assessment
    frameworks: list[FrameworkBlock]
    progress: Progress
    questions: dict[int, QuestionBlock]
    sections: dict[int, SectionBlock]

    def missing(self) -> list[QuestionBlock]:
        return [b for b in self.questions.values() if b.missing]

    def section_of(self, question_id: int) -> SectionBlock | None:
        provision_section = self.questions[question_id].question.provision.section_id
        return self.sections.get(provision_section)

    def top_section_of(self, section_id: int) -> SectionBlock | None:
        for framework in self.frameworks:
            for top in framework.sections:
                if any(s.section.pk == section_id for s in top.walk()):
                    return top
        return None


def _dependency_met(question: Question, parent: Answer | None) -> bool:
    if parent is None or parent.not_applicable or parent.value in (None, "", []):
        return False
    values = parent.value if isinstance(parent.value, list) else [parent.value]
    return bool(set(values) & set(question.depends_on_answers))


def questionnaire_build(
    *, assessment: Assessment, pins: list[AssessmentFramework] | None = None
) -> Questionnaire:
    """The assessment's questionnaire: applicability, visibility, answers and progress.

    At most six queries whatever the number of questions: pins, sections, provisions,
    questions, answers and evidence; the framework content is usually served from memory
    (see :func:`frameworks.selectors.version_content_list`).
    """
    pins = pins if pins is not None else pins_of(assessment)
    version_ids = [p.version_id for p in pins]
    sections, provisions, questions = version_content_list(versions=[p.version for p in pins])
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment, question__version_id__in=version_ids)
    }
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(
        answer__assessment=assessment, answer__question__version_id__in=version_ids
    ):
        evidence[item.answer_id].append(item)
    return _assemble(assessment, pins, sections, provisions, questions, answers, evidence)


#: Applicability already evaluated within one call: (profile key, version id) → provision id →
#: evaluation. See :func:`_assemble`.
ApplicabilityMemo = dict[tuple[str, int], dict[int, Evaluation]]


def _assemble(
    assessment,
    pins,
    sections,
    provisions,
    questions,
    answers,
    evidence,
    applicability_memo: ApplicabilityMemo | None = None,
) -> Questionnaire:
    """Assemble one questionnaire from rows already read.

    ``applicability_memo``: when many questionnaires are assembled in one call
    (``questionnaire_build_many``), the caller passes one dict for all of them, so that the
    applicability of a version's provisions is evaluated once per distinct scoping profile
    rather than once per assessment. It lives only as long as that call: nothing can go stale.
    Example: 50 assessments sharing one profile evaluate each provision once, not 50 times.
    """
    profile: dict[str, Any] = assessment.scoping or {}
    memo: ApplicabilityMemo = applicability_memo if applicability_memo is not None else {}
    key = profile_key(profile)
    section_blocks = {s.pk: SectionBlock(s) for s in sections}
    provision_blocks: dict[int, ProvisionBlock] = {}
    for provision in provisions:
        evaluations = memo.setdefault((key, provision.version_id), {})
        evaluation = evaluations.get(provision.pk)
        if evaluation is None:
            evaluation = evaluations[provision.pk] = provision_applicability(
                actors=provision.actors,
                applies_when=provision.applies_when,
                strength=provision.strength,
                profile=profile,
            )
        block = ProvisionBlock(provision, evaluation)
        provision_blocks[provision.pk] = block
        section_blocks[provision.section_id].provisions.append(block)

    provisions_by_id = {p.pk: p for p in provisions}
    for question in questions:
        question.provision = provisions_by_id[question.provision_id]  # no query later
    question_blocks: dict[int, QuestionBlock] = {}
    for question in questions:
        parent_block = provision_blocks[question.provision_id]
        answer = answers.get(question.pk)
        if answer is not None:
            answer.question = question  # no query when the template shows choice labels
        block = QuestionBlock(
            question,
            answer,
            parent_block.applicability.applies,
            evidence=evidence.get(answer.pk, []) if answer else [],
        )
        question_blocks[question.pk] = block
        parent_block.questions.append(block)
    # A follow-up is shown only when its parent is shown and answered with one of the listed choices.
    by_urn = {(q.version_id, q.urn): question_blocks[q.pk] for q in questions}
    decided: dict[int, bool] = {}

    def is_visible(block: QuestionBlock, seen: frozenset = frozenset()) -> bool:
        question = block.question
        if question.pk in decided:
            return decided[question.pk]
        result = True
        if question.depends_on_urn:
            parent = by_urn.get((question.version_id, question.depends_on_urn))
            result = (
                parent is not None
                and question.pk not in seen  # a cycle hides the questions rather than looping
                and parent.provision_applies
                and is_visible(parent, seen | {question.pk})
                and _dependency_met(question, parent.answer)
            )
        decided[question.pk] = result
        return result

    for block in question_blocks.values():
        block.visible = is_visible(block)

    roots_by_version: dict[int, list[SectionBlock]] = defaultdict(list)
    for section in sections:
        block = section_blocks[section.pk]
        if section.parent_id:
            section_blocks[section.parent_id].children.append(block)
        else:
            roots_by_version[section.version_id].append(block)

    def tally(block: SectionBlock) -> Progress:
        progress = Progress()
        for provision_block in block.provisions:
            for q in provision_block.questions:
                if q.counts:
                    progress.applicable += 1
                    progress.answered += q.is_answered
        for child in block.children:
            progress.add(tally(child))
        block.progress = progress
        return progress

    frameworks, total = [], Progress()
    for pin in pins:
        roots = roots_by_version.get(pin.version_id, [])
        framework_progress = Progress()
        for root in roots:
            framework_progress.add(tally(root))
        total.add(framework_progress)
        frameworks.append(FrameworkBlock(pin, roots, framework_progress))
    return Questionnaire(assessment, frameworks, total, question_blocks, section_blocks)

"""The questionnaire: questions grouped by framework, section and provision, with progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

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


_PROVISION_OF = Question.provision.field
_QUESTION_OF = Answer.question.field


def _applicability(provision: Provision, profile: dict[str, Any], key: str) -> Evaluation:
    """Whether ``provision`` applies to ``profile``, remembered on the provision row.

    Published rows are shared by every request of the process and never change
    (:func:`frameworks.selectors.version_content_list`), and an assessment's scope changes
    rarely, so the evaluation is kept on the row, per profile, instead of evaluating every
    provision's conditions again on every page and every autosave. A draft's rows are read
    afresh for each request, so nothing stale is ever kept for them. Treat the returned
    Evaluation as read-only.
    """
    memo = provision.__dict__.setdefault("_applicability_memo", {})
    evaluation = memo.get(key)
    if evaluation is None:
        if len(memo) >= 64:  # a bound, should scopes keep changing in a long-lived process
            memo.clear()
        evaluation = memo[key] = provision_applicability(
            actors=provision.actors,
            applies_when=provision.applies_when,
            strength=provision.strength,
            profile=profile,
        )
    return evaluation


def _dependency_met(question: Question, parent: Answer | None) -> bool:
    if parent is None or parent.not_applicable or parent.value in (None, "", []):
        return False
    values = parent.value if isinstance(parent.value, list) else [parent.value]
    return bool(set(values) & set(question.depends_on_answers))


def questionnaire_build(
    *,
    assessment: Assessment,
    pins: list[AssessmentFramework] | None = None,
    with_evidence: bool = True,
) -> Questionnaire:
    """The assessment's questionnaire: applicability, visibility, answers and progress.

    At most six queries whatever the number of questions: pins, sections, provisions,
    questions, answers and evidence; the framework content is usually served from memory
    (see :func:`frameworks.selectors.version_content_list`). ``with_evidence=False`` leaves
    the evidence lists empty, one query less, for callers that need only answers and progress
    (the autosave).
    """
    pins = pins if pins is not None else pins_of(assessment)
    version_ids = [p.version_id for p in pins]
    sections, provisions, questions = version_content_list(versions=[p.version for p in pins])
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment, question__version_id__in=version_ids)
    }
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in (
        Evidence.objects.filter(
            answer__assessment=assessment, answer__question__version_id__in=version_ids
        )
        if with_evidence
        else ()
    ):
        evidence[item.answer_id].append(item)
    return _assemble(assessment, pins, sections, provisions, questions, answers, evidence)


def _assemble(
    assessment, pins, sections, provisions, questions, answers, evidence
) -> Questionnaire:
    """Assemble one questionnaire from rows already read.

    Applicability is remembered per distinct scoping profile on the shared published rows
    (:func:`_applicability`), so 50 assessments sharing one profile evaluate each provision once,
    not 50 times, and the next request not at all.
    """
    profile: dict[str, Any] = assessment.scoping or {}
    key = profile_key(profile)
    section_blocks = {s.pk: SectionBlock(s) for s in sections}
    provision_blocks: dict[int, ProvisionBlock] = {}
    for provision in provisions:
        block = ProvisionBlock(provision, _applicability(provision, profile, key))
        provision_blocks[provision.pk] = block
        section_blocks[provision.section_id].provisions.append(block)

    provisions_by_id = {p.pk: p for p in provisions}
    for question in questions:
        # No query later. The shared published rows keep it from the last build: setting a
        # relation through Django's descriptor costs more than the rest of the loop.
        if not _PROVISION_OF.is_cached(question):
            question.provision = provisions_by_id[question.provision_id]
    question_blocks: dict[int, QuestionBlock] = {}
    for question in questions:
        parent_block = provision_blocks[question.provision_id]
        answer = answers.get(question.pk)
        if answer is not None and not _QUESTION_OF.is_cached(answer):
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


# --- Autosave: what one saved answer changed ----------------------------------------------------


def questionnaire_question_get(*, pins: list[AssessmentFramework], pk: int) -> Question:
    """The question ``pk`` of the pinned versions, as the questionnaire holds it (its provision
    attached), without a query while the versions are published; Http404 for any other question,
    exactly as :func:`~assessments.selectors.access.access_question`.

    Example: ``questionnaire_question_get(pins=pins_of(a), pk=q.pk).provision.section_id``.
    """
    sections, provisions, questions = version_content_list(versions=[p.version for p in pins])
    question = next((q for q in questions if q.pk == pk), None)
    if question is None:
        raise Http404("No such question.")
    if not _PROVISION_OF.is_cached(question):
        question.provision = next(p for p in provisions if p.pk == question.provision_id)
    return question


@dataclass
class QuestionnaireChange:
    """What one saved answer changed on the questionnaire page, so that the save answers with
    only that: the follow-up questions that appeared or disappeared, the frameworks and sections
    whose counts moved, and the questionnaire after the save when anything could move.

    Example: answering "yes" to "Have you named a contact?" shows its follow-up "Who is it?":
    ``appeared`` holds the follow-up's block; ``sections`` the section of both questions and its
    parent sections (one more answered, one more applicable), ``frameworks`` their framework.
    Changing only the comment of an answered question moves nothing: ``questionnaire`` is None
    (none was built) and every list is empty.
    """

    question: Question
    answer: Answer
    questionnaire: Questionnaire | None = None
    appeared: list[QuestionBlock] = field(default_factory=list)
    disappeared: list[QuestionBlock] = field(default_factory=list)
    frameworks: list[FrameworkBlock] = field(default_factory=list)
    sections: list[SectionBlock] = field(default_factory=list)

    @property
    def followups(self) -> list[QuestionBlock]:
        return self.appeared + self.disappeared


def _has_followups(question: Question, pins: list[AssessmentFramework]) -> bool:
    """Whether another question of the question's version depends on its answer (no query while
    the version is published)."""
    versions = [p.version for p in pins if p.version_id == question.version_id]
    return any(q.depends_on_urn == question.urn for q in version_content_list(versions=versions)[2])


def _shows(answer: Answer | None) -> tuple:
    """What of an answer decides whether its follow-ups are shown (:func:`_dependency_met`)."""
    return (answer.value, answer.not_applicable) if answer is not None else (None, False)


def questionnaire_change_get(
    *,
    assessment: Assessment,
    pins: list[AssessmentFramework],
    question: Question,
    answer: Answer,
    previous: Answer | None,
) -> QuestionnaireChange:
    """What saving ``answer`` (``previous`` before the save, None when there was none) changed on
    the questionnaire of ``assessment``, read after the save.

    Most saves change nothing but the answer: a comment typed into an answered question, or
    "yes" turned into "partial". A count moves only when the question turns answered or
    unanswered, and a follow-up appears or disappears only when the value of a question others
    depend on changes; otherwise no questionnaire is built and there is no query. Else one query
    (the answers, without evidence) and, when follow-ups may have moved, a second assembly of the
    same rows with ``previous`` in place of ``answer``, and one query for the evidence of
    follow-ups that appeared or disappeared with answers.
    """
    change = QuestionnaireChange(question, answer)
    was = previous is not None and previous.is_confirmed_answer
    counts_move = was != answer.is_confirmed_answer
    followups_move = _shows(previous) != _shows(answer) and _has_followups(question, pins)
    if not counts_move and not followups_move:
        return change
    after = questionnaire_build(assessment=assessment, pins=pins, with_evidence=False)
    change.questionnaire = after
    if not followups_move:
        # No visibility moved: only the question's own count, in its sections, its framework and
        # the total, which ``after`` already holds.
        if after.questions[question.pk].counts:
            section = after.sections.get(question.provision.section_id)
            while section is not None:
                change.sections.append(section)
                section = after.sections.get(section.section.parent_id)
            change.frameworks = [
                f for f in after.frameworks if f.pin.version_id == question.version_id
            ]
        return change
    answers = {qid: b.answer for qid, b in after.questions.items() if b.answer is not None}
    answers.pop(question.pk, None)
    if previous is not None:
        answers[question.pk] = previous
    before = _assemble(
        assessment,
        [f.pin for f in after.frameworks],
        [b.section for b in after.sections.values()],
        [pb.provision for b in after.sections.values() for pb in b.provisions],
        [b.question for b in after.questions.values()],
        answers,
        {},
    )
    for qid, block in after.questions.items():
        if block.visible != before.questions[qid].visible:
            (change.appeared if block.visible else change.disappeared).append(block)
    change.frameworks = [
        f for f, old in zip(after.frameworks, before.frameworks) if f.progress != old.progress
    ]
    change.sections = [
        s for pk, s in after.sections.items() if s.progress != before.sections[pk].progress
    ]
    answered = [b.answer.pk for b in change.followups if b.answer is not None]
    if answered:
        evidence: dict[int, list[Evidence]] = defaultdict(list)
        for item in Evidence.objects.filter(answer_id__in=answered):
            evidence[item.answer_id].append(item)
        for block in change.followups:
            block.evidence = evidence.get(block.answer.pk, []) if block.answer else []
    return change

"""Reads of assessments, always through organisation scoping.

``access_*`` selectors are the only way a view reaches an assessment: they
give the same 404 for a missing assessment and for one of another
organisation, and refuse writes by auditors with PermissionDenied (403).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from assessments.models import Answer, Assessment, AssessmentFramework, Evidence
from frameworks.applicability import Evaluation, provision_applicability
from frameworks.choices import VersionStatus
from frameworks.models import FrameworkVersion, Provision, Question, Section
from frameworks.selectors import version_content_list
from portal.models import AuditEvent, Membership, Organisation, Role, User

# --- Access ----------------------------------------------------------------------------------


def membership_can_create_assessment(membership: Membership | None) -> bool:
    """May this member start an assessment in the membership's organisation? Officers may.

    Example: ``membership_can_create_assessment(auditor_membership)`` is False; the dashboard
    hides its "New assessment" button and the create page and API refuse with 403.
    """
    return membership is not None and membership.role == Role.OFFICER


def access_organisation_for_create(*, user: User, organisation_id: int) -> Membership:
    """The user's membership of the organisation in which they want to create an assessment.

    404 for a missing organisation and for one the user does not belong to (the same answer);
    PermissionDenied for a member who may not create assessments (an auditor).
    """
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation_id=organisation_id)
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404("No such organisation.")
    if not membership_can_create_assessment(membership):
        raise PermissionDenied("Only officers create assessments.")
    return membership


@dataclass(frozen=True)
class AssessmentAccess:
    """One member's view of one assessment: every "who may do what" rule about it lives here.

    Example: an officer of a submitted assessment has ``can_write`` (their role allows changes)
    but not ``can_edit`` (the lock forbids them until it is reopened).
    """

    assessment: Assessment
    membership: Membership

    @property
    def can_write(self) -> bool:
        """The member's role allows changes (officers; auditors only read)."""
        return self.membership.role == Role.OFFICER

    @property
    def can_edit(self) -> bool:
        """Changes to answers, scope and evidence are possible right now: a writer, and not locked."""
        return self.can_write and not self.assessment.is_locked

    @property
    def can_reopen(self) -> bool:
        return self.can_write and self.assessment.is_locked

    @property
    def can_request_report(self) -> bool:
        """Every member may freeze a report (auditors too: the report is what they audit)."""
        return True


def access_assessment(*, user: User, pk: int, write: bool = False) -> AssessmentAccess:
    """The assessment if the user is a member of its organisation; 404 otherwise.

    With ``write=True`` an auditor gets PermissionDenied: auditors read, never change.
    """
    if not user.is_authenticated:
        raise Http404("No such assessment.")
    assessment = Assessment.objects.select_related("organisation").filter(pk=pk).first()
    membership = (
        Membership.objects.filter(user=user, organisation_id=assessment.organisation_id).first()
        if assessment
        else None
    )
    if assessment is None or membership is None:
        raise Http404("No such assessment.")
    access = AssessmentAccess(assessment, membership)
    if write and not access.can_write:
        raise PermissionDenied("Auditors cannot change assessments.")
    return access


def access_evidence(*, user: User, assessment: Assessment, pk: int) -> Evidence:
    evidence = (
        Evidence.objects.select_related("answer__question")
        .filter(pk=pk, answer__assessment=assessment)
        .first()
    )
    if evidence is None:
        raise Http404("No such file.")
    return evidence


def access_question(*, assessment: Assessment, pk: int) -> Question:
    """A question of one of the assessment's pinned versions; 404 for any other question.

    Example: ``access_question(assessment=a, pk=q.pk)`` for a question of a framework ``a`` does
    not pin raises Http404, exactly as for an id that does not exist.
    """
    question = (
        Question.objects.select_related("provision")
        .filter(pk=pk, version__assessment_pins__assessment=assessment)
        .first()
    )
    if question is None:
        raise Http404("No such question.")
    return question


def assessment_list(
    *, organisation: Organisation | None = None, user: User | None = None
) -> QuerySet[Assessment]:
    """The assessments of one organisation, or of every organisation ``user`` belongs to.

    Pins come prefetched with their framework and version, newest change first.
    """
    pins = AssessmentFramework.objects.select_related("version", "framework").order_by(
        "order", "id"
    )
    assessments = Assessment.objects.all()
    if organisation is not None:
        assessments = assessments.filter(organisation=organisation)
    if user is not None:
        assessments = assessments.filter(
            organisation_id__in=Membership.objects.filter(user=user).values("organisation_id")
        )
    return assessments.prefetch_related(Prefetch("pins", queryset=pins)).order_by(
        "-updated_at", "-id"
    )


def assessment_get(*, pk: int) -> Assessment:
    """One assessment with its pins (framework and version) loaded, for the API's output."""
    return assessment_list().get(pk=pk)


def answer_list(*, assessment: Assessment, with_comment: bool = False) -> QuerySet[Answer]:
    """The current answers: those to questions of the pinned versions (not the history kept on
    the questions of versions upgraded away from), in questionnaire order. With
    ``with_comment`` only the answers that carry a comment."""
    pinned = AssessmentFramework.objects.filter(assessment=assessment).values("version_id")
    answers = Answer.objects.filter(assessment=assessment, question__version_id__in=pinned)
    if with_comment:
        answers = answers.exclude(comment="").select_related("updated_by")
    return answers.select_related("question").order_by("question__order", "id")


def evidence_list(*, assessment: Assessment, question: Question) -> QuerySet[Evidence]:
    return Evidence.objects.filter(
        answer__assessment=assessment, answer__question=question
    ).select_related("answer")


def pins_of(assessment: Assessment) -> list[AssessmentFramework]:
    return list(
        AssessmentFramework.objects.filter(assessment=assessment)
        .select_related("version", "framework")
        .order_by("order", "id")
    )


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

    @property
    def is_answered(self) -> bool:
        return self.answer is not None and self.answer.is_answered

    @property
    def counts(self) -> bool:
        """Applicable and shown: it counts towards progress."""
        return self.provision_applies and self.visible

    @property
    def missing(self) -> bool:
        return self.counts and self.question.required and not self.is_answered


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


def _assemble(
    assessment, pins, sections, provisions, questions, answers, evidence
) -> Questionnaire:
    profile: dict[str, Any] = assessment.scoping or {}
    section_blocks = {s.pk: SectionBlock(s) for s in sections}
    provision_blocks: dict[int, ProvisionBlock] = {}
    for provision in provisions:
        block = ProvisionBlock(
            provision,
            provision_applicability(
                actors=provision.actors,
                applies_when=provision.applies_when,
                strength=provision.strength,
                profile=profile,
            ),
        )
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


# --- History and upgrades --------------------------------------------------------------------


def assessment_history_list(
    *, assessment: Assessment, subject: str | None = None
) -> QuerySet[AuditEvent]:
    """The audit rows of one assessment (optionally of one question URN), newest first."""
    events = AuditEvent.objects.filter(
        context_type="assessments.assessment", context_id=str(assessment.pk)
    )
    if subject:
        events = events.filter(subject=subject)
    return events.order_by("-occurred_at", "-id")


def pin_get(*, assessment: Assessment, framework_urn: str) -> AssessmentFramework | None:
    """The assessment's pin of the framework ``framework_urn``, if it pins that framework."""
    return (
        AssessmentFramework.objects.select_related("version", "framework")
        .filter(assessment=assessment, framework__urn=framework_urn)
        .first()
    )


def framework_version_upgrade_target(*, pin: AssessmentFramework) -> FrameworkVersion | None:
    """The newest published version of the pinned framework, if it is newer than the pin."""
    latest = (
        FrameworkVersion.objects.filter(
            framework_id=pin.framework_id, status=VersionStatus.PUBLISHED
        )
        .order_by("-effective_date", "-id")
        .first()
    )
    if (
        latest is None
        or latest.pk == pin.version_id
        or latest.effective_date < pin.version.effective_date
    ):
        return None
    return latest


QUESTION_CONTENT_FIELDS = [
    "type",
    "prompt_ja",
    "prompt_en",
    "help_ja",
    "help_en",
    "choices",
    "weight",
    "required",
    "depends_on_urn",
    "depends_on_answers",
]


@dataclass
class UpgradePlan:
    pin: AssessmentFramework
    target: FrameworkVersion
    unchanged: list[tuple[Question, Question]]
    changed: list[tuple[Question, Question]]
    removed: list[Question]
    added: list[Question]
    answered_urns: set[str]

    def answered(self, question: Question) -> bool:
        return question.urn in self.answered_urns


def upgrade_plan_get(
    *, assessment: Assessment, pin: AssessmentFramework, target: FrameworkVersion
) -> UpgradePlan:
    """What an upgrade of one pin to ``target`` would do to each question, matched by URN."""
    old = {
        q.urn: q for q in Question.objects.filter(version_id=pin.version_id).order_by("order", "id")
    }
    new = {q.urn: q for q in Question.objects.filter(version=target).order_by("order", "id")}
    unchanged, changed = [], []
    for urn, question in new.items():
        if urn in old:
            same = all(
                getattr(old[urn], f) == getattr(question, f) for f in QUESTION_CONTENT_FIELDS
            )
            (unchanged if same else changed).append((old[urn], question))
    answered = set(
        Answer.objects.filter(
            assessment=assessment, question__version_id=pin.version_id
        ).values_list("question__urn", flat=True)
    )
    return UpgradePlan(
        pin,
        target,
        unchanged,
        changed,
        [q for urn, q in old.items() if urn not in new],
        [q for urn, q in new.items() if urn not in old],
        answered,
    )


def choice_label(question: Question, key: str, language: str) -> str:
    for choice in question.choices:
        if choice["key"] == key:
            return choice["label_en" if language.startswith("en") else "label_ja"]
    return key

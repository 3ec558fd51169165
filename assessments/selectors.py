"""Reads of assessments, always through organisation scoping.

``access_*`` selectors are the only way a view reaches an assessment: they
give the same 404 for a missing assessment and for one of another
organisation, and refuse writes by auditors with PermissionDenied (403).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F as models_F
from django.db.models import Prefetch, QuerySet
from django.db.models import Q as models_Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.answer_values import answer_value_labels
from assessments.models import (
    OPEN_REVIEW_STATUSES,
    Answer,
    Assessment,
    AssessmentFramework,
    AssessmentStatus,
    Evidence,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
)
from frameworks.applicability import Evaluation, provision_applicability
from frameworks.choices import Strength, VersionStatus
from frameworks.models import NEWEST_FIRST, FrameworkVersion, Provision, Question, Section
from frameworks.selectors import version_content_list
from portal.models import AuditEvent, AuditEventType, Membership, Organisation, User
from portal.selectors import MemberAccess

#: States in which answers are reviewed and the review threads take comments.
REVIEW_OPEN_STATES = frozenset({AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED})

# --- Access ----------------------------------------------------------------------------------


def membership_can_create_assessment(membership: Membership | None) -> bool:
    """May this member start an assessment in the membership's organisation? Officers and
    organisation admins may.

    Example: ``membership_can_create_assessment(auditor_membership)`` is False; the dashboard
    hides its "New assessment" button and the create page and API refuse with 403.
    """
    return membership is not None and MemberAccess(membership).can_write


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
    """One member's view of one assessment: every "who may do what" rule about it lives here,
    reading the member's role through ``MemberAccess`` only.

    Example: the auditor of Acme AI on a submitted assessment that the officer submitted:
    ``can_write`` False, ``can_review`` True, ``can_approve`` True (``can_approve`` would be
    False for the person who submitted it: four eyes). The officer has ``can_write`` (their role
    allows changes) but not ``can_edit`` (the lock forbids them until it is reopened). A
    contributor's access ``is_limited``, with ``question_ids`` the questions assigned to them,
    which are all they may read or answer (``may_answer(question_id)``).
    """

    assessment: Assessment
    membership: Membership
    #: For a contributor, the questions assigned to them; empty for other roles.
    question_ids: frozenset[int] = frozenset()

    @property
    def member(self) -> MemberAccess:
        return MemberAccess(self.membership)

    @property
    def can_write(self) -> bool:
        """The member's role allows changes (admins and officers; auditors only read)."""
        return self.member.can_write

    @property
    def is_limited(self) -> bool:
        """A contributor: sees and answers only the questions assigned to them."""
        return self.member.is_contributor

    @property
    def can_assign(self) -> bool:
        return self.member.can_write

    @property
    def can_plan_actions(self) -> bool:
        return self.member.can_write

    @property
    def can_manage_members(self) -> bool:
        return self.member.can_manage_members

    def may_answer(self, question_id: int) -> bool:
        """The member's role lets them answer this question (the lock is the services' check)."""
        if self.is_limited:
            return question_id in self.question_ids
        return self.can_write

    @property
    def can_review(self) -> bool:
        """Auditors review answers, return and approve; they never change answers."""
        return self.member.is_auditor

    @property
    def can_edit(self) -> bool:
        """Changes to answers, scope and evidence are possible right now: a writer, and not locked."""
        return self.can_write and not self.assessment.is_locked

    @property
    def can_request_report(self) -> bool:
        """Every member who sees the whole assessment may freeze a report (auditors too: the
        report is what they audit); contributors see only their own questions."""
        return not self.is_limited

    @property
    def can_submit(self) -> bool:
        return self.can_write and self.assessment.status in (
            AssessmentStatus.IN_PROGRESS,
            AssessmentStatus.RETURNED,
        )

    @property
    def can_reopen(self) -> bool:
        return self.can_write and self.assessment.status in (
            AssessmentStatus.SUBMITTED,
            AssessmentStatus.APPROVED,
        )

    @property
    def can_return(self) -> bool:
        return self.can_review and self.assessment.status == AssessmentStatus.SUBMITTED

    @property
    def can_approve(self) -> bool:
        return self.can_return and self.assessment.submitted_by_id != self.membership.user_id

    @property
    def can_set_review(self) -> bool:
        return self.can_review and self.assessment.status in REVIEW_OPEN_STATES

    @property
    def can_comment(self) -> bool:
        """Officers reply and auditors follow up while the assessment is in review or returned."""
        return not self.is_limited and self.assessment.status in REVIEW_OPEN_STATES


def access_assessment(
    *,
    user: User,
    pk: int,
    write: bool = False,
    review: bool = False,
    question_id: int | None = None,
    limited: bool = False,
) -> AssessmentAccess:
    """The assessment if the user is a member of its organisation; 404 otherwise.

    With ``write=True`` an auditor gets PermissionDenied: auditors read, never change.
    With ``review=True`` an officer gets PermissionDenied: only auditors review and approve.
    A contributor reaches only the questions assigned to them: with ``question_id`` a question
    not assigned to them is 404 (as a missing one); pages of the whole assessment are 403 for
    them unless the page shows only their questions (``limited=True``).
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
    member = MemberAccess(membership)
    if member.is_contributor:
        question_ids = assigned_question_ids(assessment=assessment, user=user)
        if question_id is not None:
            if question_id not in question_ids:
                raise Http404("No such question.")
        elif not limited:
            raise PermissionDenied("Contributors see only the questions assigned to them.")
        if review:
            raise PermissionDenied("Only auditors review assessments.")
        return AssessmentAccess(assessment, membership, frozenset(question_ids))
    access = AssessmentAccess(assessment, membership)
    if write and not access.can_write:
        raise PermissionDenied("Auditors cannot change assessments.")
    if review and not access.can_review:
        raise PermissionDenied("Only auditors review assessments.")
    return access


def access_assessment_evidence(
    *, user: User, pk: int, evidence_pk: int, write: bool = False
) -> tuple[AssessmentAccess, Evidence]:
    """An evidence file and the access to its assessment; a contributor reaches only the files of
    their questions (404 for others, as for a missing file)."""
    access = access_assessment(user=user, pk=pk, write=write, limited=True)
    evidence = access_evidence(user=user, assessment=access.assessment, pk=evidence_pk)
    if access.is_limited and evidence.answer.question_id not in access.question_ids:
        raise Http404("No such file.")
    return access, evidence


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
    #: The auditor's verdict and the review thread, when the page asks for them (review_attach).
    review: QuestionReview | None = None
    comments: list[ReviewComment] = field(default_factory=list)

    @property
    def is_answered(self) -> bool:
        return self.answer is not None and self.answer.is_answered

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
    *,
    assessment: Assessment,
    subject: str | None = None,
    actor_name: str | None = None,
    event_type: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit rows of one assessment, newest first, optionally filtered by question URN,
    person (their recorded name), kind of event and day (``date_to`` included)."""
    events = AuditEvent.objects.filter(
        context_type="assessments.assessment", context_id=str(assessment.pk)
    )
    if subject:
        events = events.filter(subject=subject)
    if actor_name:
        events = events.filter(actor_name=actor_name)
    if event_type:
        events = events.filter(event_type=event_type)
    if date_from:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to:
        events = events.filter(occurred_at__date__lte=date_to)
    return events.order_by("-occurred_at", "-id")


def _newness(version: FrameworkVersion) -> tuple:
    """A sort key matching :data:`frameworks.models.NEWEST_FIRST` (bigger is newer)."""
    return (version.effective_date is None, version.effective_date or dt.date.min)


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
        .order_by(*NEWEST_FIRST)
        .first()
    )
    # Undated (reported) versions count as newest, as in NEWEST_FIRST; compare on that key.
    if latest is None or latest.pk == pin.version_id or _newness(latest) < _newness(pin.version):
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


# --- Reviews ---------------------------------------------------------------------------------


def question_review_list(
    *, assessment: Assessment, open_only: bool = False
) -> QuerySet[QuestionReview]:
    """The auditor's verdicts on the assessment's answers; ``open_only``: queries and rejections."""
    reviews = QuestionReview.objects.filter(assessment=assessment).select_related(
        "question__provision", "updated_by"
    )
    if open_only:
        reviews = reviews.filter(status__in=OPEN_REVIEW_STATUSES)
    return reviews.order_by("question__version_id", "question__order", "id")


def review_comment_list(
    *, assessment: Assessment, question: Question | None = None
) -> QuerySet[ReviewComment]:
    comments = ReviewComment.objects.filter(assessment=assessment).select_related("question")
    if question is not None:
        comments = comments.filter(question=question)
    return comments.order_by("created_at", "id")


def review_attach(*, questionnaire: Questionnaire) -> None:
    """Put each question's verdict and thread on its block (two queries whatever the size)."""
    assessment = questionnaire.assessment
    for review in QuestionReview.objects.filter(assessment=assessment):
        block = questionnaire.questions.get(review.question_id)
        if block is not None:
            block.review = review
    for comment in ReviewComment.objects.filter(assessment=assessment).order_by("created_at", "id"):
        block = questionnaire.questions.get(comment.question_id)
        if block is not None:
            block.comments.append(comment)


@dataclass
class ReviewProgress:
    """How far the auditor got, over the questions that count (applicable and shown).

    Example: 30 counted questions, 24 accepted, 2 queries, 1 rejected: 3 not reviewed, 3 open.
    """

    accepted: int = 0
    query: int = 0
    rejected: int = 0
    not_reviewed: int = 0

    @property
    def open(self) -> int:
        return self.query + self.rejected

    @property
    def total(self) -> int:
        return self.accepted + self.query + self.rejected + self.not_reviewed


def review_progress_get(*, questionnaire: Questionnaire) -> ReviewProgress:
    """Counts of verdicts; call :func:`review_attach` on the questionnaire first."""
    progress = ReviewProgress()
    for block in questionnaire.questions.values():
        if not block.counts:
            continue
        if block.review is None:
            progress.not_reviewed += 1
        else:
            setattr(progress, block.review.status, getattr(progress, block.review.status) + 1)
    return progress


# --- Readable history ------------------------------------------------------------------------

#: Autosaves by one person on one question closer together than this read as one change.
HISTORY_BURST = dt.timedelta(minutes=5)


@dataclass
class HistoryChange:
    """One field of a change, as a reader reads it: "Answer: Partly → Yes"."""

    label: str
    before: str
    after: str
    #: For free text: ``[(op, text)]`` with op "=", "-" or "+", word by word.
    diff: list[tuple[str, str]] | None = None


@dataclass
class HistoryEntry:
    """One line of the history page: one event, or a burst of autosaves read as one.

    Example: officer, 10:02–10:04, "Answer saved" ×3 on "Do you publish a contact point?":
    Answer: — → Yes; Comment: "Drafted" → "Drafted, approved by legal".
    """

    occurred_at: dt.datetime
    first_at: dt.datetime
    actor_name: str
    event_type: str
    event_label: str
    subject: str
    question: Question | None
    changes: list[HistoryChange]
    count: int = 1


def _text_diff(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.split(), after.split()
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if op == "equal":
            parts.append(("=", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("-", " ".join(old[i1:i2])))
        if j2 > j1:
            parts.append(("+", " ".join(new[j1:j2])))
    return parts


def _plain(value: Any) -> str:
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, bool):
        return _("yes") if value else ""  # "not applicable: yes → —" reads better than "no"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _history_changes(event: AuditEvent, question: Question | None, language: str) -> list:
    before, after = event.before or {}, event.after or {}
    labels = {
        "value": _("Answer"),
        "not_applicable": _("Not applicable"),
        "justification": _("Justification"),
        "comment": _("Comment"),
        "status": _("Status"),
        "reason": _("Reason"),
        "statement": _("Statement"),
        "text": _("Comment"),
        "name": _("File"),
        "version": _("Version"),
        "language": _("Language"),
        "scoping": _("Scope"),
    }
    free_text = {"justification", "comment", "reason", "statement", "text"}
    changes = []
    keys = [k for k in labels if k in before or k in after]
    if event.event_type == AuditEventType.ASSESSMENT_SCOPING_CHANGED:
        keys = sorted(set(before) | set(after))
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old == new and key != "name":
            continue
        if key == "value" and question is not None:
            old_text = answer_value_labels(question, old, language)
            new_text = answer_value_labels(question, new, language)
        elif key == "status":
            old_text, new_text = _status_label(old), _status_label(new)
        else:
            old_text, new_text = _plain(old), _plain(new)
        if old_text == new_text and key != "name":
            continue
        diff = (
            _text_diff(old_text, new_text) if key in free_text and old_text and new_text else None
        )
        changes.append(HistoryChange(str(labels.get(key, key)), old_text, new_text, diff))
    return changes


def _status_label(value: Any) -> str:
    for choices in (AssessmentStatus, ReviewStatus):
        if value in choices.values:
            return str(choices(value).label)
    return _plain(value)


def _event_label(event_type: str) -> str:
    try:
        return str(AuditEventType(event_type).label)
    except ValueError:
        return event_type


def history_entry_list(
    *, assessment: Assessment, events: QuerySet[AuditEvent], language: str
) -> list[HistoryEntry]:
    """The history as people read it: question texts instead of URNs, answer labels instead of
    keys, word diffs of comments, event names in ``language``, and consecutive autosaves by one
    person on one question within :data:`HISTORY_BURST` folded into one entry (the log itself
    is untouched). Two queries: the events and their questions.
    """
    rows = list(events)
    urns = {e.subject for e in rows if e.subject}
    questions: dict[str, Question] = {}
    if urns:
        pinned = set(
            AssessmentFramework.objects.filter(assessment=assessment).values_list(
                "version_id", flat=True
            )
        )
        # A URN names the same question across versions; prefer the pinned version's wording.
        for question in Question.objects.filter(urn__in=urns).order_by("-version_id"):
            if question.urn not in questions or question.version_id in pinned:
                questions[question.urn] = question
    entries: list[HistoryEntry] = []
    # Rows are newest first: fold an older autosave into the entry above it when it continues it.
    group: list[AuditEvent] = []

    def flush() -> None:
        if not group:
            return
        newest, oldest = group[0], group[-1]
        question = questions.get(newest.subject)
        merged = AuditEvent(event_type=newest.event_type, before=oldest.before, after=newest.after)
        entries.append(
            HistoryEntry(
                occurred_at=newest.occurred_at,
                first_at=oldest.occurred_at,
                actor_name=newest.actor_name,
                event_type=newest.event_type,
                event_label=_event_label(newest.event_type),
                subject=newest.subject,
                question=question,
                changes=_history_changes(merged, question, language),
                count=len(group),
            )
        )
        group.clear()

    for event in rows:
        if group:
            last = group[-1]
            continues = (
                event.event_type == AuditEventType.ANSWER_SAVED
                and last.event_type == AuditEventType.ANSWER_SAVED
                and event.actor_name == last.actor_name
                and event.subject == last.subject
                and last.occurred_at - event.occurred_at <= HISTORY_BURST
            )
            if not continues:
                flush()
        group.append(event)
    flush()
    return entries


def history_filter_choices(*, assessment: Assessment, language: str = "ja") -> dict[str, list]:
    """The people and questions that appear in the assessment's history, for the filters:
    ``{"people": ["auditor", "officer"], "subjects": [(urn, question text), …]}``."""
    events = assessment_history_list(assessment=assessment).order_by()
    people = sorted(set(events.exclude(actor_name="").values_list("actor_name", flat=True)))
    urns = set(events.exclude(subject="").values_list("subject", flat=True))
    prompts: dict[str, str] = {}
    field_name = "prompt_en" if language.startswith("en") else "prompt_ja"
    for urn, prompt in (
        Question.objects.filter(urn__in=urns).order_by("version_id").values_list("urn", field_name)
    ):
        prompts[urn] = prompt
    subjects = sorted(((urn, prompts.get(urn, urn)) for urn in urns), key=lambda s: s[1])
    return {"people": people, "subjects": subjects}


# --- Assignments -----------------------------------------------------------------------------

import datetime as dt  # noqa: E402

from django.utils import timezone  # noqa: E402

from assessments.models import Assignment  # noqa: E402


def _section_question_ids(
    sections: list[Section], provisions: list[Provision], questions: list[Question]
) -> dict[int, set[int]]:
    """Each section's questions, its subsections' included."""
    children: dict[int, list[int]] = defaultdict(list)
    for section in sections:
        if section.parent_id:
            children[section.parent_id].append(section.pk)
    provision_section = {p.pk: p.section_id for p in provisions}
    direct: dict[int, set[int]] = defaultdict(set)
    for question in questions:
        direct[provision_section[question.provision_id]].add(question.pk)
    result: dict[int, set[int]] = {}

    def collect(section_id: int) -> set[int]:
        if section_id not in result:
            ids = set(direct.get(section_id, ()))
            for child in children.get(section_id, ()):
                ids |= collect(child)
            result[section_id] = ids
        return result[section_id]

    for section in sections:
        collect(section.pk)
    return result


def assignment_question_ids(
    *, assessment: Assessment, assignments: list[Assignment]
) -> dict[int, set[int]]:
    """The questions each assignment covers (a section's with its subsections'), by assignment id."""
    if not assignments:
        return {}
    pins = pins_of(assessment)
    sections, provisions, questions = version_content_list(versions=[p.version for p in pins])
    by_section = _section_question_ids(sections, provisions, questions)
    return {
        a.pk: (by_section.get(a.section_id, set()) if a.section_id else {a.question_id})
        for a in assignments
    }


def assigned_question_ids(*, assessment: Assessment, user: User) -> set[int]:
    """Every question of ``assessment`` assigned to ``user``, by section or one by one."""
    assignments = list(Assignment.objects.filter(assessment=assessment, assignee=user))
    ids: set[int] = set()
    for covered in assignment_question_ids(assessment=assessment, assignments=assignments).values():
        ids |= covered
    return ids


def assignment_list(*, assessment: Assessment) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(assessment=assessment)
        .select_related("assignee", "section", "question")
        .order_by("due_date", "id")
    )


@dataclass
class WorkItem:
    """One line of "My work": an assignment or an action of mine, with its due date."""

    kind: str  # "assignment" or "action"
    assessment: Assessment | None
    title: str
    due_date: dt.date | None
    url: str
    obj: Any = None
    #: For an assignment: how many of its applicable questions are answered, out of how many.
    answered: int | None = None
    total: int | None = None

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_date is not None and self.due_date < today


def my_work_list(*, user: User, today: dt.date | None = None) -> list[WorkItem]:
    """What is assigned to ``user`` across assessments of their organisations, overdue first.

    A constant number of queries whatever the number of assignments and actions: assignments
    (with their assessment, section and question), their assessments' questionnaires (for each
    assignment's progress, see :func:`questionnaire_build_many`) and open actions owned by the user. Example: an
    overdue section of *FY2025 review* comes before a question of *FY2026 review* due next month.
    """
    from assessments.models import ACTION_OPEN_STATUSES, Action

    today = today or timezone.localdate()
    organisation_ids = Membership.objects.filter(user=user).values("organisation_id")
    items: list[WorkItem] = []
    assignments = list(
        Assignment.objects.filter(assignee=user, assessment__organisation_id__in=organisation_ids)
        .select_related("assessment", "section", "question")
        .order_by("due_date", "id")
    )
    assessments = {a.assessment_id: a.assessment for a in assignments}
    questionnaires = questionnaire_build_many(assessments=list(assessments.values()))
    for assignment in assignments:
        target = assignment.section or assignment.question
        title = (
            f"{target.ref + ' ' if getattr(target, 'ref', '') else ''}{_loc(target, 'title')}"
            if assignment.section_id
            else _loc(target, "prompt")
        )
        answered, total = _assignment_progress(questionnaires[assignment.assessment_id], assignment)
        items.append(
            WorkItem(
                "assignment",
                assignment.assessment,
                title,
                assignment.due_date,
                reverse("assessments:mine", args=[assignment.assessment_id]),
                assignment,
                answered,
                total,
            )
        )
    for action in (
        Action.objects.filter(
            owner=user, organisation_id__in=organisation_ids, status__in=ACTION_OPEN_STATUSES
        )
        .select_related("assessment")
        .order_by("due_date", "id")
    ):
        items.append(
            WorkItem(
                "action",
                action.assessment,
                action.title,
                action.due_date,
                reverse("assessments:action_detail", args=[action.pk]),
                action,
            )
        )

    def order(item: WorkItem):
        return (
            not item.is_overdue(today),
            item.due_date is None,
            item.due_date or dt.date.max,
            item.title,
        )

    return sorted(items, key=order)


def _assignment_progress(questionnaire: Questionnaire, assignment: Assignment) -> tuple[int, int]:
    """(answered, applicable) among the questions an assignment covers."""
    if assignment.section_id:
        block = questionnaire.sections.get(assignment.section_id)
        blocks = (
            [q for s in block.walk() for p in s.provisions for q in p.questions] if block else []
        )
    else:
        blocks = [b for b in [questionnaire.questions.get(assignment.question_id)] if b]
    counted = [b for b in blocks if b.counts]
    return sum(b.is_answered for b in counted), len(counted)


def _loc(obj: Any, field_name: str) -> str:
    """The Japanese or English text of a bilingual field, in the active language."""
    from django.utils.translation import get_language

    language = "en" if (get_language() or "ja").startswith("en") else "ja"
    return getattr(obj, f"{field_name}_{language}", "") or getattr(obj, f"{field_name}_ja", "")


# --- Remediation actions ---------------------------------------------------------------------

from assessments.models import ACTION_OPEN_STATUSES, Action, ActionEvidence  # noqa: E402


@dataclass(frozen=True)
class ActionFilters:
    """The filters of an action plan; ``None`` means any. Example: ``status="open", overdue=True``."""

    status: str | None = None
    owner_id: int | None = None
    overdue: bool = False
    assessment_id: int | None = None


def action_list(
    *,
    organisation: Organisation | None = None,
    assessment: Assessment | None = None,
    filters: ActionFilters | None = None,
    today: dt.date | None = None,
) -> QuerySet[Action]:
    """The actions of an organisation or of one assessment, overdue first, then by due date.

    Four queries whatever the number of actions (actions with owner, approver and assessment;
    linked provisions; linked questions; evidence). The report's action-plan section calls
    ``action_list(assessment=a)``.
    """
    from django.db.models import Case, IntegerField, Value, When

    today = today or timezone.localdate()
    filters = filters or ActionFilters()
    actions = Action.objects.all()
    if organisation is not None:
        actions = actions.filter(organisation=organisation)
    if assessment is not None:
        actions = actions.filter(assessment=assessment)
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.owner_id:
        actions = actions.filter(owner_id=filters.owner_id)
    if filters.assessment_id:
        actions = actions.filter(assessment_id=filters.assessment_id)
    overdue = models_Q(status__in=ACTION_OPEN_STATUSES, due_date__lt=today)
    if filters.overdue:
        actions = actions.filter(overdue)
    return (
        actions.select_related("owner", "risk_approver", "assessment")
        .prefetch_related(
            Prefetch("provisions", queryset=Provision.objects.order_by("order", "id")),
            Prefetch("questions", queryset=Question.objects.order_by("order", "id")),
            Prefetch("evidence", queryset=ActionEvidence.objects.order_by("uploaded_at", "id")),
        )
        .annotate(
            is_overdue=Case(
                When(overdue, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-is_overdue", models_F("due_date").asc(nulls_last=True), "id")
    )


def access_action(*, user: User, pk: int, write: bool = False) -> tuple[Action, MemberAccess]:
    """An action of one of the user's organisations; 404 for missing and foreign ones alike.

    Contributors and outsiders get 404 (they do not see action plans); with ``write=True``
    an auditor gets 403. The returned access carries the member's rights.
    """
    action = (
        Action.objects.select_related("organisation", "assessment", "owner", "risk_approver")
        .filter(pk=pk)
        .first()
    )
    membership = (
        Membership.objects.filter(user=user, organisation_id=action.organisation_id).first()
        if action is not None and user.is_authenticated
        else None
    )
    if action is None or membership is None or not MemberAccess(membership).can_read_all:
        raise Http404("No such action.")
    if write and not MemberAccess(membership).can_write:
        raise PermissionDenied("Auditors cannot change actions.")
    return action, MemberAccess(membership)


def access_action_evidence(*, user: User, pk: int, evidence_pk: int) -> ActionEvidence:
    action, _access = access_action(user=user, pk=pk)
    evidence = ActionEvidence.objects.filter(action=action, pk=evidence_pk).first()
    if evidence is None:
        raise Http404("No such file.")
    return evidence


def action_status_counts(*, actions: list[Action]) -> dict[str, int]:
    """How many actions are in each status, plus ``overdue``; from rows already read."""
    from assessments.models import ActionStatus

    counts = {status: 0 for status in ActionStatus.values}
    counts["overdue"] = 0
    for action in actions:
        counts[action.status] += 1
        counts["overdue"] += bool(getattr(action, "is_overdue", 0))
    return counts


# --- Many questionnaires at once (portfolio dashboard) ---------------------------------------


def questionnaire_build_many(*, assessments: list[Assessment]) -> dict[int, Questionnaire]:
    """The questionnaires of many assessments, by assessment id, in a constant number of queries.

    Pins, answers and evidence of all the assessments are read in three queries, framework
    content once (then from memory); each questionnaire is then assembled as
    :func:`questionnaire_build` does. Example: the 50 assessments of an organisation's
    portfolio cost the same few queries as one.
    """
    if not assessments:
        return {}
    ids = [a.pk for a in assessments]
    pins_by: dict[int, list[AssessmentFramework]] = defaultdict(list)
    for pin in (
        AssessmentFramework.objects.filter(assessment_id__in=ids)
        .select_related("version", "framework")
        .order_by("order", "id")
    ):
        pins_by[pin.assessment_id].append(pin)
    versions = {pin.version_id: pin.version for pins in pins_by.values() for pin in pins}
    # All the versions' content at once, split by version: no query per assessment, cached or not.
    content: dict[int, tuple[list, list, list]] = {pk: ([], [], []) for pk in versions}
    for index, rows in enumerate(version_content_list(versions=list(versions.values()))):
        for row in rows:
            content[row.version_id][index].append(row)
    answers_by: dict[int, dict[int, Answer]] = defaultdict(dict)
    for answer in Answer.objects.filter(assessment_id__in=ids):
        answers_by[answer.assessment_id][answer.question_id] = answer
    evidence_by: dict[int, dict[int, list[Evidence]]] = defaultdict(lambda: defaultdict(list))
    for item in Evidence.objects.filter(answer__assessment_id__in=ids).select_related("answer"):
        evidence_by[item.answer.assessment_id][item.answer_id].append(item)
    result = {}
    for assessment in assessments:
        pins = pins_by.get(assessment.pk, [])
        sections, provisions, questions = [], [], []
        for pin in pins:
            version_sections, version_provisions, version_questions = content[pin.version_id]
            sections += version_sections
            provisions += version_provisions
            questions += version_questions
        # Answers to an older version's questions (kept after an upgrade) are history, not shown.
        question_ids = {q.pk for q in questions}
        answers = {
            qid: a for qid, a in answers_by.get(assessment.pk, {}).items() if qid in question_ids
        }
        result[assessment.pk] = _assemble(
            assessment,
            pins,
            sections,
            provisions,
            questions,
            answers,
            evidence_by.get(assessment.pk, {}),
        )
    return result


def action_counts_by_assessment(
    *, assessment_ids: list[int], today: dt.date | None = None
) -> dict[int, dict[str, int]]:
    """Per assessment: how many actions are in each status, and how many are overdue (one query)."""
    from django.db.models import Count

    from assessments.models import ActionStatus

    today = today or timezone.localdate()
    counts: dict[int, dict[str, int]] = {
        pk: {**{s: 0 for s in ActionStatus.values}, "overdue": 0} for pk in assessment_ids
    }
    rows = (
        Action.objects.filter(assessment_id__in=assessment_ids)
        .values("assessment_id", "status")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=models_Q(status__in=ACTION_OPEN_STATUSES, due_date__lt=today)),
        )
    )
    for row in rows:
        counts[row["assessment_id"]][row["status"]] += row["n"]
        counts[row["assessment_id"]]["overdue"] += row["late"]
    return counts


# --- Questionnaire filters and search --------------------------------------------------------

from django.db import connection  # noqa: E402

from frameworks.severity import provision_severity  # noqa: E402


@dataclass(frozen=True)
class QuestionFilters:
    """Which questions to show. Example: ``QuestionFilters(unanswered=True, severity="high")``
    lists the high-severity questions still to answer; ``text="委託"`` adds a search."""

    unanswered: bool = False
    needs_review: bool = False
    evidence_missing: bool = False
    assigned_to_me: bool = False
    severity: str = ""
    text: str = ""

    @property
    def any(self) -> bool:
        return any(
            (
                self.unanswered,
                self.needs_review,
                self.evidence_missing,
                self.assigned_to_me,
                self.severity,
                self.text.strip(),
            )
        )


def question_search_ids(*, assessment: Assessment, text: str) -> set[int]:
    """Questions of the assessment whose prompt or help, or whose answer's comment,
    justification or text, matches ``text``.

    PostgreSQL full-text search (the ``simple`` configuration, which does not stem) where the
    database is PostgreSQL, plus a substring match because Japanese has no spaces between
    words; a case-insensitive substring match on SQLite.
    """
    text = text.strip()
    if not text:
        return set()
    version_ids = [p.version_id for p in pins_of(assessment)]
    question_match = (
        models_Q(prompt_ja__icontains=text)
        | models_Q(prompt_en__icontains=text)
        | models_Q(help_ja__icontains=text)
        | models_Q(help_en__icontains=text)
    )
    answer_match = (
        models_Q(comment__icontains=text)
        | models_Q(justification__icontains=text)
        | models_Q(value__icontains=text)
    )
    questions = Question.objects.filter(version_id__in=version_ids)
    answers = Answer.objects.filter(assessment=assessment)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        query = SearchQuery(text, config="simple", search_type="websearch")
        questions = questions.annotate(
            document=SearchVector("prompt_en", "help_en", "prompt_ja", "help_ja", config="simple")
        )
        question_match |= models_Q(document=query)
        answers = answers.annotate(
            document=SearchVector("comment", "justification", config="simple")
        )
        answer_match |= models_Q(document=query)
    ids = set(questions.filter(question_match).values_list("pk", flat=True))
    ids |= set(answers.filter(answer_match).values_list("question_id", flat=True))
    return ids


def questionnaire_filter(
    *,
    questionnaire: Questionnaire,
    filters: QuestionFilters,
    assigned_ids: set[int] | frozenset[int] = frozenset(),
    matching_ids: set[int] | None = None,
) -> list[QuestionBlock]:
    """The applicable, shown questions that pass every chosen filter, in questionnaire order.

    ``assigned_ids`` are the questions assigned to the viewer (for "assigned to me");
    ``matching_ids`` the result of :func:`question_search_ids` when a text is searched.
    Severity is the provision's (``frameworks.severity``).
    """
    result = []
    for block in questionnaire.questions.values():
        question = block.question
        if not block.counts:
            continue
        if filters.unanswered and block.is_answered:
            continue
        if filters.needs_review and not (block.answer and block.answer.needs_review):
            continue
        if filters.evidence_missing and not (question.evidence_expected and not block.evidence):
            continue
        if filters.assigned_to_me and question.pk not in assigned_ids:
            continue
        if filters.severity and (
            provision_severity(
                strength=question.provision.strength,
                enforcement=question.provision.enforcement,
            )
            != filters.severity
        ):
            continue
        if matching_ids is not None and question.pk not in matching_ids:
            continue
        result.append(block)
    return result

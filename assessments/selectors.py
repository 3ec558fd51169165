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
from django.db.models import Prefetch, QuerySet
from django.http import Http404
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
from portal.models import AuditEvent, AuditEventType, Membership, Organisation, Role, User

#: States in which answers are reviewed and the review threads take comments.
REVIEW_OPEN_STATES = frozenset({AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED})

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
    """One member's view of one assessment: every "who may do what" rule about it lives here,
    the only place roles are compared.

    Example: the auditor of Acme AI on a submitted assessment that the officer submitted:
    ``can_write`` False, ``can_review`` True, ``can_approve`` True (``can_approve`` would be
    False for the person who submitted it: four eyes). The officer has ``can_write`` (their role
    allows changes) but not ``can_edit`` (the lock forbids them until it is reopened).
    """

    assessment: Assessment
    membership: Membership

    @property
    def can_write(self) -> bool:
        """The member's role allows changes (officers; auditors only read)."""
        return self.membership.role == Role.OFFICER

    @property
    def can_review(self) -> bool:
        """Auditors review answers, return and approve; they never change answers."""
        return self.membership.role == Role.AUDITOR

    @property
    def can_edit(self) -> bool:
        """Changes to answers, scope and evidence are possible right now: a writer, and not locked."""
        return self.can_write and not self.assessment.is_locked

    @property
    def can_request_report(self) -> bool:
        """Every member may freeze a report (auditors too: the report is what they audit)."""
        return True

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
        return self.assessment.status in REVIEW_OPEN_STATES


def access_assessment(
    *, user: User, pk: int, write: bool = False, review: bool = False
) -> AssessmentAccess:
    """The assessment if the user is a member of its organisation; 404 otherwise.

    With ``write=True`` an auditor gets PermissionDenied: auditors read, never change.
    With ``review=True`` an officer gets PermissionDenied: only auditors review and approve.
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
    if review and not access.can_review:
        raise PermissionDenied("Only auditors review assessments.")
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

"""Who may see and do what on an assessment: the access selectors."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, FilteredRelation, Q
from django.http import Http404

from assessments.models import (
    Assessment,
    AssessmentStatus,
    Evidence,
)
from frameworks.models import Question
from portal.models import Membership, User
from portal.selectors import MemberAccess

from .assignments import assigned_question_ids

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


#: The membership's columns, read with the assessment in one query (see below).
_MEMBERSHIP_FIELDS = ("id", "role", "created_at")


def _assessment_with_membership(
    *, user: User, pk: int
) -> tuple[Assessment | None, Membership | None]:
    """The assessment (with its organisation) and the user's membership of that organisation,
    in one query (this runs on every autosave): ``(None, None)`` for a missing assessment,
    ``(assessment, None)`` when the user is not a member. A user has at most one membership
    per organisation (a unique constraint), so the join adds no row."""
    assessment = (
        Assessment.objects.select_related("organisation")
        .annotate(
            _member=FilteredRelation(
                "organisation__memberships", condition=Q(organisation__memberships__user=user)
            ),
            **{f"_member_{name}": F(f"_member__{name}") for name in _MEMBERSHIP_FIELDS},
        )
        .filter(pk=pk)
        .first()
    )
    if assessment is None or assessment._member_id is None:
        return assessment, None
    values = {
        "user_id": user.pk,
        "organisation_id": assessment.organisation_id,
        **{name: getattr(assessment, f"_member_{name}") for name in _MEMBERSHIP_FIELDS},
    }
    # from_db takes the values in the model's field order (a KeyError here: a new field of
    # Membership is missing from _MEMBERSHIP_FIELDS).
    names = [f.attname for f in Membership._meta.concrete_fields]
    membership = Membership.from_db(assessment._state.db, names, [values[n] for n in names])
    membership.user, membership.organisation = user, assessment.organisation  # no query later
    return assessment, membership


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
    assessment, membership = _assessment_with_membership(user=user, pk=pk)
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


# --- Roll-forward (issue 12) -----------------------------------------------------------------


def access_assessment_for_roll_forward(
    *, user: User, pk: int, organisation_id: int | None = None
) -> Assessment:
    """The assessment a new one may start from: one the user reads in full, in an organisation
    where they may create assessments.

    The same 404 as for a missing assessment when it belongs to another organisation (or, with
    ``organisation_id``, to any organisation but that one); PermissionDenied for a contributor
    or an auditor of its organisation, who may not start assessments.
    """
    assessment = access_assessment(user=user, pk=pk).assessment
    if organisation_id is not None and assessment.organisation_id != organisation_id:
        raise Http404("No such assessment.")
    access_organisation_for_create(user=user, organisation_id=assessment.organisation_id)
    return assessment

"""Questionnaire filters and search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q as models_Q

from assessments.models import (
    Answer,
    Assessment,
)
from frameworks.models import Question
from frameworks.severity import provision_severity

from .lists import pins_of
from .questionnaire import FrameworkBlock, QuestionBlock, Questionnaire, SectionBlock
from .reviews import question_review_list

# --- Questionnaire filters and search --------------------------------------------------------


@dataclass(frozen=True)
class QuestionFilters:
    """Which questions to show. Example: ``QuestionFilters(unanswered=True, severity="high")``
    lists the high-severity questions still to answer; ``text="委託"`` adds a search."""

    unanswered: bool = False
    needs_review: bool = False
    open_query: bool = False
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
                self.open_query,
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


def open_query_question_ids(*, assessment: Assessment) -> set[int]:
    """The questions with an open query: exactly the rows the reviews page lists as open
    (:func:`question_review_list` with ``open_only``), so "open query" has one definition.

    Example: the auditor queried Art. 26 and rejected Art. 27, then accepted Art. 27 after a
    reply: ``{<Art. 26 question id>}``.
    """
    return set(
        question_review_list(assessment=assessment, open_only=True)
        .order_by()
        .values_list("question_id", flat=True)
    )


def questionnaire_filter(
    *,
    questionnaire: Questionnaire,
    filters: QuestionFilters,
    assigned_ids: set[int] | frozenset[int] = frozenset(),
    matching_ids: set[int] | None = None,
    open_query_ids: set[int] | frozenset[int] = frozenset(),
) -> list[QuestionBlock]:
    """The applicable, shown questions that pass every chosen filter, in questionnaire order.

    ``assigned_ids`` are the questions assigned to the viewer (for "assigned to me");
    ``open_query_ids`` the result of :func:`open_query_question_ids` (for "open query");
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
        if filters.open_query and question.pk not in open_query_ids:
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


def section_first_question_get(*, section: SectionBlock) -> QuestionBlock | None:
    """The first question the section page shows (the target of its "skip to the first
    question" link): applicable provision, follow-up shown, subsections included, in page order.

    Example: chapter 2 asks nothing itself; its subsection 2-1 asks "Through which channels…":
    that question.
    """
    for block in section.walk():
        for provision in block.provisions:
            if not provision.applicability.applies:
                continue
            for question in provision.questions:
                if question.visible:
                    return question
    return None


# --- Missing answers, grouped ------------------------------------------------------------------


@dataclass
class MissingSection:
    """The missing answers of one top-level section (its subsections included), in order."""

    section: SectionBlock
    questions: list[QuestionBlock]


@dataclass
class MissingFramework:
    framework: FrameworkBlock
    sections: list[MissingSection]


@dataclass
class MissingAnswers:
    """What is still to answer before submitting, by framework and top-level section.

    Example: APPI › 第四章 (Art. 26, Art. 27), AI Guidelines › 第2部 (C-3): ``count`` is 3. Falsy
    when nothing is missing. The same questions as :meth:`Questionnaire.missing`, which the
    submission checks.
    """

    frameworks: list[MissingFramework]

    @property
    def count(self) -> int:
        return sum(len(s.questions) for f in self.frameworks for s in f.sections)

    def __bool__(self) -> bool:
        return bool(self.frameworks)


def missing_answer_list(*, questionnaire: Questionnaire) -> MissingAnswers:
    """The questionnaire's missing answers grouped by framework, then top-level section (the
    unit of the section page each question links to). No query."""
    frameworks = []
    for framework in questionnaire.frameworks:
        sections = []
        for top in framework.sections:
            questions = [
                block
                for section in top.walk()
                for provision in section.provisions
                for block in provision.questions
                if block.missing
            ]
            if questions:
                sections.append(MissingSection(top, questions))
        if sections:
            frameworks.append(MissingFramework(framework, sections))
    return MissingAnswers(frameworks)

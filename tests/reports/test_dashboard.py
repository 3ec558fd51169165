"""The portfolio dashboard: scores by framework kind, gaps, actions, trend and heat map."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment
from assessments.services import AnswerInput, answer_save, assessment_create
from reports.dashboard import portfolio_get
from tests.conftest import PROVIDER_WITH_PI, question_of
from tests.factories import ActionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _another(officer, organisation, published_version, name, answer, months_ago):
    assessment = assessment_create(
        actor=officer,
        organisation=organisation,
        name=name,
        versions=[published_version],
        scoping=PROVIDER_WITH_PI,
    )
    if answer:
        answer_save(
            actor=officer,
            assessment=assessment,
            question_id=question_of(published_version, "q:art-7-contact").pk,
            data=AnswerInput(value=answer),
        )
    created = assessment.created_at - dt.timedelta(days=30 * months_ago)
    Assessment.objects.filter(pk=assessment.pk).update(created_at=created)
    return assessment


def test_each_assessment_has_its_scores_gaps_and_actions(
    assessment, officer, organisation, published_version
):
    old = _another(officer, organisation, published_version, "Last year", "no", 12)
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=question_of(published_version, "q:art-7-contact").pk,
        data=AnswerInput(value="yes"),
    )
    ActionFactory(organisation=organisation, assessment=old, status="done")
    ActionFactory(organisation=organisation, assessment=old, due_date=dt.date(2020, 1, 1))
    portfolio = portfolio_get(organisation=organisation)
    assert [r.assessment for r in portfolio.rows] == [old, assessment]
    first, last = portfolio.rows
    assert first.overall < last.overall
    # The minimal framework is a statute: its score is the statute score; no guideline pinned.
    assert first.statute == first.frameworks[0].score and first.guideline is None
    assert first.frameworks[0].kind == "statute"
    assert first.actions["done"] == 1 and first.actions["open"] == 1
    assert first.actions["overdue"] == 1
    assert first.high_gaps >= 1  # the binding personal-information provision is unanswered


def test_the_trend_and_heat_map_are_readable_without_colour(
    assessment, officer, organisation, published_version
):
    _another(officer, organisation, published_version, "Last year", "no", 12)
    portfolio = portfolio_get(organisation=organisation)
    trend = str(portfolio.trend_svg)
    assert trend.startswith("<svg") and "stroke-dasharray" in trend and "<rect" in trend
    assert "%</text>" in trend  # the score is written next to each point
    heatmap = str(portfolio.heatmap_svg)
    assert "✗" in heatmap and "url(#hm-hatch)" in heatmap
    assert "<title>" in heatmap


def test_the_dashboard_page_shows_members_who_read_everything(
    client, assessment, officer, auditor, organisation
):
    contributor = MembershipFactory(organisation=organisation, role="contributor").user
    client.force_login(auditor)
    page = client.get("/portfolio/")
    assert page.status_code == 200
    assert "FY2026 review" in page.content.decode() and "<svg" in page.content.decode()
    client.force_login(contributor)
    assert client.get("/portfolio/").status_code == 404


def test_fifty_assessments_render_in_a_constant_number_of_queries(
    client, assessment, officer, organisation, published_version
):
    client.force_login(officer)

    def count() -> int:
        client.get("/portfolio/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/portfolio/").status_code == 200
        return len(queries)

    _another(officer, organisation, published_version, "One", "partial", 1)
    few = count()
    for index in range(48):
        other = _another(officer, organisation, published_version, f"A{index}", "yes", index % 12)
        ActionFactory(organisation=organisation, assessment=other)
    assert Assessment.objects.filter(organisation=organisation).count() == 50
    assert count() == few


def test_questionnaires_built_together_match_one_by_one(
    assessment, officer, organisation, published_version
):
    from assessments.selectors import questionnaire_build, questionnaire_build_many

    other = _another(officer, organisation, published_version, "Other", "partial", 6)
    together = questionnaire_build_many(assessments=[assessment, other])
    for item in (assessment, other):
        alone = questionnaire_build(assessment=item)
        assert together[item.pk].progress == alone.progress
        assert [b.question.pk for b in together[item.pk].missing()] == [
            b.question.pk for b in alone.missing()
        ]

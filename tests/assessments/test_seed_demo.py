import pytest
from django.core.management import call_command

from assessments.management.commands.seed_demo import DEMO_ASSESSMENT
from assessments.models import Action, Answer, Assessment
from assessments.selectors import questionnaire_build
from portal.models import AuditEvent, Membership


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_builds_a_complete_assessment_and_a_second_run_changes_nothing(settings, capsys):
    settings.DEBUG = True
    call_command("load_frameworks", verbosity=0)
    call_command("seed_demo")
    out = capsys.readouterr().out
    assessment = Assessment.objects.get(name=DEMO_ASSESSMENT)
    assert f"demo assessment id {assessment.pk}" in out
    assert "officer" in out and "auditor2" in out
    questionnaire = questionnaire_build(assessment=assessment)
    assert questionnaire.progress.applicable > 150
    assert questionnaire.progress.answered == questionnaire.progress.applicable
    assert len(questionnaire.frameworks) == 5  # the AI Guideline (Art. 13) is its own framework
    values = {a.value for a in Answer.objects.all() if isinstance(a.value, str)}
    assert {"yes", "partial", "no"} <= values
    assert (
        Answer.objects.filter(not_applicable=True).exists()
        and Answer.objects.exclude(comment="").exists()
    )
    assert Membership.objects.values("organisation").distinct().count() == 2
    # Varied comments, not one canned sentence next to every answer.
    comments = set(Answer.objects.exclude(comment="").values_list("comment", flat=True))
    assert len(comments) >= 10
    assert Answer.objects.filter(comment="").exists()

    # Two earlier, submitted assessments of the first organisation show a rising trend.
    from reports.dashboard import portfolio_get

    portfolio = portfolio_get(organisation=assessment.organisation)
    assert len(portfolio.rows) == 3 and portfolio.rows[-1].assessment == assessment
    scores = [row.overall for row in portfolio.rows]
    assert scores == sorted(scores) and scores[0] < scores[-1]
    days = (portfolio.rows[-1].date - portfolio.rows[0].date).days
    assert 350 <= days <= 380
    assert set(Action.objects.values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "done",
        "risk_accepted",
    }

    counts = (
        Answer.objects.count(),
        AuditEvent.objects.count(),
        Membership.objects.count(),
        Action.objects.count(),
        Assessment.objects.count(),
    )
    call_command("seed_demo")
    assert "nothing changed" in capsys.readouterr().out
    assert (
        Answer.objects.count(),
        AuditEvent.objects.count(),
        Membership.objects.count(),
        Action.objects.count(),
        Assessment.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_without_debug(settings):
    from django.core.management import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")

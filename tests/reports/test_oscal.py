"""OSCAL assessment results: valid for trestle, one finding per assessed provision."""

import json

import pytest
from django.urls import reverse
from trestle.oscal.assessment_results import AssessmentResults

from assessments.services import AnswerInput, answer_save
from reports.oscal import assessment_oscal_json
from tests.conftest import question_of

pytestmark = pytest.mark.django_db


def test_results_validate_and_name_the_catalog_controls(assessment, officer):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(value="no")
    )
    data = json.loads(assessment_oscal_json(assessment=assessment))["assessment-results"]
    AssessmentResults.model_validate(data)
    findings = {f["target"]["target-id"]: f for f in data["results"][0]["findings"]}
    art7 = findings["prov.art-7"]
    assert art7["target"]["status"]["state"] == "not-satisfied"
    assert {p["name"]: p["value"] for p in art7["props"]}["tekigo-status"] == "gap"


def test_members_download_results_and_others_get_404(client, assessment, auditor, other_officer):
    url = reverse("reports:oscal_results", args=[assessment.pk])
    client.force_login(auditor)
    assert client.get(url).status_code == 200
    client.force_login(other_officer)
    assert client.get(url).status_code == 404

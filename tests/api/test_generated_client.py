"""An integrator's view: a client generated with openapi-python-client from the live schema
imports cleanly and runs a whole job, unmodified, against a live server with a token.

The generator's only configuration is the standard mapping of binary media types it does not
know by name (``application/pdf``, office documents, images) to ``application/octet-stream``:
the schema documents the real media type of each download, the client reads them as bytes.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import subprocess
import sys
import urllib.request
from io import BytesIO
from pathlib import Path

import pytest

from assessments.apis import EVIDENCE_MEDIA_TYPES
from portal.services import api_token_create

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PACKAGE = "tekigo_client"
FRAMEWORK = "urn:tekigo:fw:example-act"


def _generate(schema: dict, tmp_path: Path) -> Path:
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    overrides = {
        media_type: "application/octet-stream"
        for media_type in ["application/pdf", *EVIDENCE_MEDIA_TYPES]
        if not media_type.startswith("text/")
    }
    config = {
        "project_name_override": "tekigo-client",
        "package_name_override": PACKAGE,
        "post_hooks": [],
        "content_type_overrides": overrides,
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--output-path",
            str(tmp_path / "client"),
            "--config",
            str(tmp_path / "config.json"),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp_path / "client"


@pytest.fixture
def generated(live_server, tmp_path):
    """The generated package, imported module by module (every one must import)."""
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json") as response:
        schema = json.load(response)
    root = _generate(schema, tmp_path)
    sys.path.insert(0, str(root))
    try:
        names = sorted(
            ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
            for path in (root / PACKAGE).rglob("*.py")
        )
        failures = {}
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as exc:  # every failure is listed, not only the first
                failures[name] = repr(exc)
        assert not failures, failures
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _questions(sections):
    for section in sections:
        for provision in section.provisions:
            if provision.applies:
                yield from provision.questions
        yield from _questions(section.children)


def test_a_generated_client_runs_a_whole_job_unmodified(
    generated, live_server, officer, organisation, published_version
):
    from reports.services import report_render

    api = importlib.import_module(f"{PACKAGE}.api.v1")
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")

    def call(operation: str, **kwargs):
        module = importlib.import_module(f"{api.__name__}.{operation}")
        return module.sync_detailed(client=client, **kwargs)

    _token, key = api_token_create(user=officer, name="integrator")
    client = generated.AuthenticatedClient(
        base_url=live_server.url, token=key, prefix="Token", raise_on_unexpected_status=True
    )

    # Create an assessment from a framework URN.
    created = call(
        "v1_assessments_create",
        body=models.AssessmentCreateInputRequest(
            organisation=organisation.pk,
            name="Generated client",
            frameworks=[FRAMEWORK],
            scoping=models.ScopingRequest(
                roles=[models.RolesEnum.AI_PROVIDER], handles_personal_info=True
            ),
        ),
    )
    assert created.status_code == 201, created.content
    assessment = created.parsed
    assert isinstance(assessment, models.AssessmentOutput)
    assert assessment.frameworks[0].framework == FRAMEWORK
    assert assessment.scoping.roles == [models.RolesEnum.AI_PROVIDER]

    # Read the questionnaire and answer every applicable, visible question in one bulk save.
    questionnaire = call("v1_assessments_questionnaire_retrieve", id=assessment.id).parsed
    assert isinstance(questionnaire, models.QuestionnaireOutput)
    questions = [q for q in _questions(questionnaire.frameworks[0].sections) if q.visible]
    assert questions and questionnaire.progress.answered == 0

    def value_for(question):
        if question.to_dict()["type"] == "multiple_choice":  # ``type_`` in Python
            return [question.choices[0].key]
        if question.choices:
            return question.choices[0].key
        return "総務部 (General affairs)"

    items = [
        models.AnswerItemInputRequest(question=q.id, value=value_for(q), revision=0)
        for q in questions
    ]
    saved = call(
        "v1_assessments_answers_create",
        id=assessment.id,
        body=models.BulkAnswerInputRequest(items=items),
    )
    assert saved.status_code == 200, saved.content
    assert isinstance(saved.parsed, list) and len(saved.parsed) == len(items)
    assert all(isinstance(a, models.AnswerOutput) and a.revision == 1 for a in saved.parsed)

    # A stale save is a conflict the client understands.
    stale = call(
        "v1_assessments_answers_create",
        id=assessment.id,
        body=models.BulkAnswerInputRequest(items=[items[0]]),
    )
    assert stale.status_code == 409 and stale.parsed.errors[0].field == "items[0].revision"

    # Upload evidence (multipart) and read it back.
    content = b"Policy v1: contact named.\n"
    uploaded = call(
        "v1_assessments_questions_evidence_create",
        id=assessment.id,
        question_pk=questions[0].id,
        body=models.EvidenceInputRequest(
            file=types.File(
                payload=BytesIO(content), file_name="policy.txt", mime_type="text/plain"
            )
        ),
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.parsed.sha256 == hashlib.sha256(content).hexdigest()
    downloaded = call(
        "v1_assessments_evidence_download_retrieve",
        id=assessment.id,
        evidence_pk=uploaded.parsed.id,
    )
    assert downloaded.status_code == 200 and downloaded.content == content

    # Request a report, poll until it is ready (rendering between polls), download, verify.
    requested = call(
        "v1_assessments_reports_create",
        id=assessment.id,
        body=models.ReportInputRequest(language=models.LanguageEnum.EN),
    )
    assert requested.status_code == 202, requested.content
    report = requested.parsed
    for _attempt in range(5):
        report = call("v1_reports_retrieve", id=report.id).parsed
        if report.status == "ready":
            break
        report_render(report_id=report.id)  # stands in for the worker
    assert report.status == "ready", report.failure_reason
    pdf = call("v1_reports_download_retrieve", id=report.id)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert isinstance(pdf.parsed, types.File)
    body = pdf.parsed.payload.read()
    assert body.startswith(b"%PDF-")
    digest = hashlib.sha256(body).hexdigest()
    assert digest == report.pdf_sha256
    verified = call("v1_reports_verify_retrieve", sha256=digest).parsed
    assert verified.issued is True and verified.report.id == report.id

"""Tekigo on more than one machine: two gunicorn web nodes and two Celery workers sharing one
PostgreSQL cluster, one Redis and one S3-compatible server (moto), all on 127.0.0.1.

Evidence uploaded through node A downloads through node B; a report asked for on A is rendered
by one of the workers and downloads through B; a session started on A works on B.
"""

import hashlib
import re
import shutil
from pathlib import Path

import psycopg
import pytest
import requests

from tests.clusters import CeleryNode, WebNode, manage, needs_moto, needs_postgres
from tests.support import wait_for

pytestmark = [
    pytest.mark.db_independent,
    pytest.mark.slow,
    pytest.mark.integration,
    needs_postgres,
    needs_moto,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]

BUCKET = "tekigo-nodes"
PDF = b"%PDF-1.7\n" + b"shared evidence " * 1000

SEED = """
from assessments.scoping import ScopingProfile
from assessments.services import assessment_create
from frameworks.files import parse_framework_file
from frameworks.services import framework_version_load
from tests.conftest import MINIMAL, question_of
from tests.factories import MembershipFactory, OrganisationFactory

version = framework_version_load(document=parse_framework_file(MINIMAL)).version
organisation = OrganisationFactory(name="Acme AI")
officer = MembershipFactory(
    user__username="officer", organisation=organisation, role="officer"
).user
officer.set_password("correct horse battery staple")
officer.save()
assessment = assessment_create(
    actor=officer, organisation=organisation, name="FY2026 review", versions=[version],
    scoping=ScopingProfile(roles=["ai_provider"], handles_personal_info=True),
)
print(assessment.pk, question_of(version, "q:art-7-contact").pk)
"""


def sign_in(node: WebNode) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{node.url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{node.url}/accounts/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "officer",
            "password": "correct horse battery staple",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[-2000:]
    return session


def parent_pid(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))


def csrf(session: requests.Session) -> dict[str, str]:
    return {"X-CSRFToken": session.cookies["csrftoken"]}


def test_two_web_nodes_and_two_workers_share_database_broker_and_storage(
    postgres, redis_server, s3_server, tmp_path
):
    s3_server.client().create_bucket(Bucket=BUCKET)
    environment = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": postgres.url,
        "TEKIGO_TEST_DB": "",
        "CELERY_BROKER_URL": redis_server.url,
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        # Each node has its own disk: nothing may be read from another node's MEDIA_ROOT.
        "MEDIA_ROOT": str(tmp_path / "no-shared-disk"),
    }
    manage(environment, "migrate", "-v", "0")
    seeded = manage(environment, "shell", "-c", SEED).strip().splitlines()[-1]
    assessment_pk, question_pk = map(int, seeded.split())

    workers = [
        CeleryNode(environment, f"node{n}@127.0.0.1", tmp_path / f"worker{n}.log") for n in (1, 2)
    ]
    nodes = [WebNode(environment, tmp_path / f"web{n}.log") for n in ("a", "b")]
    started = [*workers, *nodes]
    try:
        for worker in workers:
            worker.start()
        for node in nodes:
            node.start()
        for worker in workers:
            worker.wait_ready()
        node_a, node_b = nodes
        assert node_a.port != node_b.port

        # A session started on A works on B (sessions live in the shared database).
        session = sign_in(node_a)
        dashboard = session.get(f"{node_b.url}/assessments/", allow_redirects=False, timeout=30)
        assert dashboard.status_code == 200 and "FY2026 review" in dashboard.text

        # Evidence uploaded through A downloads through B.
        upload = session.post(
            f"{node_a.url}/assessments/{assessment_pk}/questions/{question_pk}/evidence/",
            files={"file": ("policy.pdf", PDF, "application/pdf")},
            headers=csrf(session),
            timeout=30,
        )
        assert upload.status_code == 200, upload.text[-2000:]
        with psycopg.connect(postgres.url) as db:
            evidence_pk, stored_name = db.execute(
                "SELECT id, stored_name FROM assessments_evidence"
            ).fetchone()
        download = session.get(
            f"{node_b.url}/assessments/{assessment_pk}/evidence/{evidence_pk}/", timeout=30
        )
        assert download.status_code == 200 and download.content == PDF
        s3 = s3_server.client()
        assert s3.head_object(Bucket=BUCKET, Key=f"evidence/{stored_name}")["ContentLength"] == len(
            PDF
        )

        # A report asked for on A is rendered by one of the workers and downloads through B.
        asked = session.post(
            f"{node_a.url}/assessments/{assessment_pk}/reports/",
            data={"language": "en"},
            headers=csrf(session),
            allow_redirects=False,
            timeout=30,
        )
        assert asked.status_code == 302

        def ready():
            with psycopg.connect(postgres.url) as db:
                return db.execute(
                    "SELECT id, pdf_name, pdf_sha256, worker FROM reports_report"
                    " WHERE status = 'ready'"
                ).fetchone()

        report_pk, pdf_name, pdf_sha256, rendered_by = wait_for(ready, 60, "the report", 0.3)
        # Rendered by the pool process of one of the two workers (the row names host:pid).
        assert parent_pid(int(rendered_by.rsplit(":", 1)[1])) in {w.process.pid for w in workers}
        pdf = session.get(f"{node_b.url}/reports/{report_pk}/download/", timeout=30)
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        assert hashlib.sha256(pdf.content).hexdigest() == pdf_sha256
        assert s3.head_object(Bucket=BUCKET, Key=f"reports/{pdf_name}")
        local = tmp_path / "no-shared-disk"
        assert not local.exists() or not any(local.iterdir())
    finally:
        for process in started:
            process.stop()

"""A realistic data set for the benchmarks: 200 organisations, 2,000 assessments over the four
frameworks, every applicable question answered with comments, evidence rows and history.

Written with bulk inserts (the services would take hours for 400,000 answers); the rows are
the same shape the services write, and the history rows go through the audit service's chain
(``portal.services.audit_record_many``), so the seeded log verifies with ``manage.py audit_verify``. The largest assessments also pin a synthetic fifth
framework of 160 questions, so that one assessment has more than 350 questions.
"""

from __future__ import annotations

import hashlib
import random
import time

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from assessments.models import Answer, Assessment, AssessmentFramework, Evidence
from assessments.scoping import ScopingProfile
from assessments.selectors import questionnaire_build
from frameworks.document import FrameworkDocument
from frameworks.selectors import framework_versions_latest_published
from frameworks.services import framework_version_load
from portal.models import AuditEventType, Membership, Organisation, User
from portal.services import audit_record_many

PROFILE = ScopingProfile(
    roles=["ai_developer", "ai_provider", "ai_business_user"],
    handles_personal_info=True,
    handles_special_care_info=True,
    provides_to_third_parties=True,
    transfers_abroad=True,
    outsources_personal_data=True,
    handles_personally_referable_info=True,
    uses_pseudonymised_info=True,
    uses_anonymised_info=True,
    uses_external_genai_with_personal_data=True,
    develops_foundation_models=True,
    foundation_model_parameters=120_000_000_000,
    frontier_capabilities=True,
    provides_ai_agents=True,
).model_dump()
PASSWORD = "bench-password-1"
BATCH = 5000


def synthetic_framework(questions: int = 160) -> FrameworkDocument:
    """A voluntary guide with ``questions`` yes/partly/no questions, to make a very large assessment."""
    urn = "urn:tekigo:fw:bench-extra"
    provisions = [
        {
            "urn": f"{urn}:prov:p{p}",
            "ref": f"X-{p}",
            "title": {"ja": f"項目{p}", "en": f"Item {p}"},
            "summary": {"ja": "ベンチマーク用", "en": "For the benchmark"},
            "strength": "voluntary",
            "actors": ["ai_provider"],
            "source": "bench",
            "confidence": "unverified",
            "questions": [
                {
                    "urn": f"{urn}:q:p{p}-{n}",
                    "type": "yes_no_partial",
                    "prompt": {"ja": f"質問{p}-{n}", "en": f"Question {p}-{n}?"},
                    "remediation": {"ja": "対応する", "en": "Do it."},
                    "evidence_expected": n == 0,
                }
                for n in range(10)
            ],
        }
        for p in range(questions // 10)
    ]
    return FrameworkDocument.model_validate(
        {
            "schema_version": 1,
            "urn": urn,
            "name": {"ja": "ベンチ追加", "en": "Bench extra"},
            "short_name": {"ja": "追加", "en": "Extra"},
            "description": {"ja": "合成データ", "en": "Synthetic"},
            "issuer": {"ja": "Tekigo", "en": "Tekigo"},
            "version": "1",
            "effective_date": "2026-01-01",
            "legal_status": "voluntary_guide",
            "sources": [
                {
                    "key": "bench",
                    "title": "Synthetic",
                    "publisher": "Tekigo",
                    "confidence": "unverified",
                }
            ],
            "sections": [
                {"key": "s1", "title": {"ja": "合成", "en": "Synthetic"}, "provisions": provisions}
            ],
        }
    )


def _value(question, rng: random.Random):
    if question.choices:
        keys = [c["key"] for c in sorted(question.choices, key=lambda c: -c["score"])]
        if question.type == "multiple_choice":
            return keys[: max(1, len(keys) // 2)]
        roll = rng.random()
        return keys[0] if roll < 0.6 else keys[len(keys) // 2] if roll < 0.85 else keys[-1]
    return {"number": 3, "date": "2026-04-01"}.get(
        question.type, "Owned by the security committee."
    )


@transaction.atomic
def seed(
    *, organisations: int = 200, per_organisation: int = 10, largest: int = 10, log=print
) -> dict:
    started = time.perf_counter()
    rng = random.Random(2026)
    versions = framework_versions_latest_published()
    extra = framework_version_load(document=synthetic_framework()).version
    password = make_password(PASSWORD)
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Bench organisation {i:03d}") for i in range(organisations)]
    )
    users = User.objects.bulk_create(
        [User(username=f"officer{i:03d}", password=password) for i in range(organisations)]
        + [User(username=f"auditor{i:03d}", password=password) for i in range(organisations)]
        + [User(username="loadtest", password=password)]
    )
    officers, auditors, loadtest = users[:organisations], users[organisations:-1], users[-1]
    Membership.objects.bulk_create(
        [
            Membership(user=officers[i], organisation=orgs[i], role="officer")
            for i in range(organisations)
        ]
        + [
            Membership(user=auditors[i], organisation=orgs[i], role="auditor")
            for i in range(organisations)
        ]
        + [Membership(user=loadtest, organisation=org, role="officer") for org in orgs]
    )
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                organisation=orgs[i],
                name=f"Review {i:03d}-{j}",
                scoping=PROFILE,
                created_by=officers[i],
            )
            for i in range(organisations)
            for j in range(per_organisation)
        ]
    )
    pins = []
    for index, assessment in enumerate(assessments):
        pinned = versions + ([extra] if index < largest else [])
        pins += [
            AssessmentFramework(
                assessment=assessment, framework_id=v.framework_id, version=v, order=o
            )
            for o, v in enumerate(pinned)
        ]
    AssessmentFramework.objects.bulk_create(pins, batch_size=BATCH)

    # Which questions show for this profile (follow-ups need their parent's answer): decided once
    # on a scratch answer set, then the same shape is written for every assessment.
    template = assessments[0]
    plan: list = []
    answered: dict[int, object] = {}
    for _round in range(5):
        blocks = questionnaire_build(assessment=template).questions.values()
        todo = [
            b
            for b in blocks
            if b.counts and b.question.pk not in answered and b.question.version_id != extra.pk
        ]
        if not todo:
            break
        for b in todo:
            answered[b.question.pk] = _value(b.question, rng)
            plan.append(b.question)
        Answer.objects.bulk_create(
            [
                Answer(assessment=template, question=q, value=answered[q.pk])
                for q in (b.question for b in todo)
            ]
        )
    Answer.objects.filter(assessment=template).delete()

    extra_questions = list(extra.questions.all())
    total_answers = total_events = total_evidence = 0
    for chunk_start in range(0, len(assessments), 50):
        chunk = assessments[chunk_start : chunk_start + 50]
        answers = []
        for index, assessment in enumerate(chunk, start=chunk_start):
            questions = plan + (extra_questions if index < largest else [])
            officer = officers[index // per_organisation]
            for question in questions:
                na = rng.random() < 0.04
                answers.append(
                    Answer(
                        assessment=assessment,
                        question=question,
                        updated_by=officer,
                        value=None
                        if na
                        else (
                            answered.get(question.pk)
                            if question.version_id != extra.pk
                            else rng.choice(["yes", "partial", "no"])
                        ),
                        not_applicable=na,
                        justification="Not part of our business." if na else "",
                        comment=rng.choice(
                            [
                                "",
                                "",
                                "Reviewed by legal.",
                                "Owner to be named.",
                                "規程は2026年4月に改訂済み。",
                            ]
                        ),
                        revision=2,
                    )
                )
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        evidence = [
            Evidence(
                answer=a,
                original_name=f"evidence-{a.question_id}.pdf",
                stored_name="bench-shared.pdf",
                content_type="application/pdf",
                size=12345,
                sha256=hashlib.sha256(str(a.question_id).encode()).hexdigest(),
                uploaded_by=a.updated_by,
            )
            for a in answers
            if a.question.evidence_expected and rng.random() < 0.5
        ]
        Evidence.objects.bulk_create(evidence, batch_size=BATCH)
        # Through the audit service, so every row carries the hash chain the services write and
        # a bench database passes `manage.py audit_verify` (one INSERT per chunk still).
        events = audit_record_many(
            [
                {
                    "actor": a.updated_by,
                    "event_type": AuditEventType.ANSWER_SAVED,
                    "obj": a,
                    "before": {"value": None},
                    "after": {"value": a.value, "comment": a.comment},
                    "organisation": a.assessment.organisation,
                    "context": a.assessment,
                    "subject": a.question.urn,
                }
                for a in answers
            ]
        )
        total_answers += len(answers)
        total_evidence += len(evidence)
        total_events += len(events)
        if chunk_start % 500 == 0:
            log(f"  … {chunk_start + len(chunk)} assessments, {total_answers} answers")
    if connection.vendor == "postgresql":
        # A database in service has planner statistics (autovacuum analyses a table after large
        # changes, within a minute); right after these bulk inserts it has none, and PostgreSQL
        # plans on guesses: the questionnaire page's evidence query scanned all 94,500 evidence
        # rows (12 ms) instead of using the answer index (1.7 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "organisations": organisations,
        "assessments": len(assessments),
        "answers": total_answers,
        "evidence": total_evidence,
        "history": total_events,
        "largest_assessment": assessments[0].pk,
        "seconds": time.perf_counter() - started,
    }

"""Demo data for the run command: two organisations, their officers and auditors, a staff admin,
and in the first organisation an assessment over all four frameworks with every applicable
question answered, two earlier (submitted) assessments of a year and six months ago with lower
scores, remediation actions in every status, an organisation admin and a contributor with an
assignment. Idempotent: a second run changes nothing."""

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments.models import Action, Assessment, Assignment
from assessments.scoping import ScopingProfile
from assessments.selectors import questionnaire_build
from assessments.services import (
    ActionInput,
    AnswerInput,
    action_create,
    action_evidence_upload,
    action_update,
    answer_save,
    assessment_create,
    assessment_submit,
    assignment_create,
)
from frameworks.choices import QuestionType
from frameworks.selectors import framework_versions_latest_published
from portal.models import Membership, Organisation, Role

DEMO_PASSWORD = "tekigo-demo"
ORGANISATIONS = [
    ("サンプルAI株式会社 (Sample AI K.K.)", [("officer", Role.OFFICER), ("auditor", Role.AUDITOR)]),
    (
        "東都データ株式会社 (Toto Data Co.)",
        [("officer2", Role.OFFICER), ("auditor2", Role.AUDITOR)],
    ),
]
DEMO_ASSESSMENT = "2026年度 AIガバナンス自己評価 (FY2026 AI governance review)"
DEMO_PROFILE = ScopingProfile(
    roles=["ai_developer", "ai_provider", "ai_business_user"],
    handles_personal_info=True,
    provides_to_third_parties=True,
    transfers_abroad=True,
    outsources_personal_data=True,
    uses_external_genai_with_personal_data=True,
    genai_vendor_use="on_our_behalf",
    foreign_vendor_handles_personal_data=True,
    develops_foundation_models=True,
    foundation_model_parameters=13_000_000_000,
    provides_ai_agents=True,
)
# Comments as a compliance team writes them, by how far the answer goes; picked per question.
COMMENTS = {
    "full": [
        "規程は2026年4月に改訂済み。 / Policy revised in April 2026.",
        "取締役会で承認済み（議事録あり）。 / Approved by the board; minutes on file.",
        "年1回の内部監査で運用を確認。 / Operation checked by the annual internal audit.",
        "全社研修に組み込み、受講率92%。 / Part of company-wide training; 92% completion.",
        "委託先との契約書に条項を追加済み。 / Clause added to our outsourcing contracts.",
        "チェックリストで開発案件ごとに確認。 / Checked per development project with a checklist.",
    ],
    "partial": [
        "一部の事業部のみ対応済み。 / Done in some business units only.",
        "手順書は草案段階で、法務レビュー待ち。 / Procedure drafted, awaiting legal review.",
        "国内拠点は対応済み、海外子会社は未対応。 / Done in Japan; overseas subsidiaries pending.",
        "記録はあるが保存期間が未定。 / Records kept, but no retention period set yet.",
        "担当者は決めたが、代行者が未定。 / Owner named; no deputy yet.",
    ],
    "gap": [
        "担当部署と次回の見直し時期を決める。 / Owner and next review date to be set.",
        "未着手。来期の予算で対応予定。 / Not started; planned in next year's budget.",
        "現状の把握から始める必要がある。 / We first need an inventory of current practice.",
        "ベンダーの回答待ち。 / Waiting for the vendor's answer.",
    ],
}


def _roll(question, salt: str = "") -> int:
    return int(hashlib.sha256(f"{salt}{question.urn}".encode()).hexdigest(), 16) % 20


def _comment(question, level: str, salt: str) -> str:
    """About two answers in five carry a comment, varied by question and answer level."""
    roll = int(hashlib.sha256(f"comment{salt}{question.urn}".encode()).hexdigest(), 16)
    if roll % 5 >= 2:
        return ""
    pool = COMMENTS[level]
    return pool[(roll // 5) % len(pool)]


#: How far each demo assessment had come: (best answer below, middle answer below) of a 0-19 roll.
MATURITY = {"now": (11, 15), "six_months": (7, 13), "year": (4, 10)}


def _demo_answer(question, maturity: str = "now") -> AnswerInput:
    """A realistic, deterministic mix: mostly compliant, some partial, some gaps, a few not applicable.

    Earlier assessments (``maturity`` ``"year"``, ``"six_months"``) give fewer full answers.
    """
    roll = _roll(question)
    level_roll = _roll(question, maturity) if maturity != "now" else roll
    best_below, middle_below = MATURITY[maturity]
    level = "full" if level_roll < best_below else "partial" if level_roll < middle_below else "gap"
    comment = _comment(question, level, maturity)
    if roll == 19:
        return AnswerInput(
            not_applicable=True,
            justification="当社の事業では該当する取扱いがない。 / We do not carry out this processing.",
            comment=comment,
        )
    if question.type == QuestionType.TEXT:
        return AnswerInput(
            value="情報セキュリティ委員会が所管。 / Owned by the information security committee.",
            comment=comment,
        )
    if question.type == QuestionType.NUMBER:
        return AnswerInput(value=3, comment=comment)
    if question.type == QuestionType.DATE:
        return AnswerInput(value="2026-04-01", comment=comment)
    by_score = sorted(question.choices, key=lambda c: -c["score"])
    if question.type == QuestionType.MULTIPLE_CHOICE:
        share = {"full": 2, "partial": 3, "gap": 4}[level]
        return AnswerInput(
            value=[c["key"] for c in by_score[: max(1, len(by_score) // share)]], comment=comment
        )
    choice = {"full": by_score[0], "partial": by_score[len(by_score) // 2], "gap": by_score[-1]}[
        level
    ]
    return AnswerInput(value=choice["key"], comment=comment)


#: The two earlier assessments of the first organisation: name, days ago, maturity.
EARLIER_ASSESSMENTS = [
    ("2025年度 AIガバナンス自己評価 (FY2025 AI governance review)", 365, "year"),
    ("2025年度下期 中間レビュー (FY2025 H2 interim review)", 182, "six_months"),
]

#: Remediation actions of the first organisation: (title, status, due in days, assessment index).
#: Index 0 is the current assessment, 1 six months ago, 2 a year ago.
DEMO_ACTIONS = [
    ("漏えい等報告手順の承認 (Approve the breach-report procedure)", "in_progress", 14, 0),
    ("海外移転先の管理状況の確認 (Review safeguards of overseas recipients)", "open", -10, 0),
    ("AI利用規程の全社周知 (Roll out the AI use policy company-wide)", "open", 45, 0),
    ("委託先監督チェックリストの導入 (Introduce the vendor oversight checklist)", "done", -30, 1),
    (
        "生成AIへの入力制限の技術的措置 (Technical limits on generative-AI input)",
        "risk_accepted",
        0,
        1,
    ),
    ("AIガバナンス責任者の任命 (Appoint an AI governance lead)", "done", -200, 2),
]
RISK_JUSTIFICATION = (
    "利用は社内検証環境に限定し、個人データの入力を禁止済み。年次で再評価する。"
    " / Use is limited to an internal test environment where personal data may not be entered;"
    " reassessed every year."
)


def _answer_all(officer, assessment, maturity: str) -> None:
    # Follow-ups appear as their parents are answered, so answer in passes.
    for _pass in range(5):
        todo = [
            b
            for b in questionnaire_build(assessment=assessment).questions.values()
            if b.counts and b.answer is None
        ]
        if not todo:
            break
        for block in todo:
            answer_save(
                actor=officer,
                assessment=assessment,
                question_id=block.question.pk,
                data=_demo_answer(block.question, maturity),
            )


class Command(BaseCommand):
    help = "Create the demo organisations, accounts and assessment (development only; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="allow outside DEBUG (never in production)"
        )

    @transaction.atomic
    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password: it runs only with DEBUG on."
            )
        User = get_user_model()
        created = []

        def user(username, **extra):
            account, was_created = User.objects.get_or_create(username=username, defaults=extra)
            if was_created:
                account.set_password(DEMO_PASSWORD)
                account.save()
                created.append(username)
            return account

        user("admin", is_staff=True, is_superuser=True)
        organisations = []
        for name, members in ORGANISATIONS:
            organisation, _ = Organisation.objects.get_or_create(name=name)
            organisations.append(organisation)
            for username, role in members:
                Membership.objects.get_or_create(
                    user=user(username), organisation=organisation, defaults={"role": role}
                )

        officer = User.objects.get(username="officer")
        assessment = Assessment.objects.filter(
            organisation=organisations[0], name=DEMO_ASSESSMENT
        ).first()
        if assessment is None:
            versions = framework_versions_latest_published()
            if not versions:
                raise CommandError("load the catalog first: manage.py load_frameworks")
            assessment = assessment_create(
                actor=officer,
                organisation=organisations[0],
                name=DEMO_ASSESSMENT,
                versions=versions,
                scoping=DEMO_PROFILE,
            )
            _answer_all(officer, assessment, "now")
            created.append("assessment")

        history = self._earlier_assessments(officer, organisations[0], created)
        self._people(user, organisations[0], officer, assessment, created)
        self._actions(officer, organisations[0], [assessment, *history], created)

        progress = questionnaire_build(assessment=assessment).progress
        self.stdout.write(
            "demo data: "
            + (f"created {', '.join(created)}" if created else "already there, nothing changed")
        )
        self.stdout.write(f"  password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write("  admin      staff: edits, publishes and retires framework versions")
        for name, members in ORGANISATIONS:
            for username, role in members:
                self.stdout.write(f"  {username:10} {role.label} of {name}")
        self.stdout.write(f"  orgadmin   {Role.ADMIN.label} of {ORGANISATIONS[0][0]}")
        self.stdout.write(f"  legal      {Role.CONTRIBUTOR.label} of {ORGANISATIONS[0][0]}")
        self.stdout.write(
            f"  demo assessment id {assessment.pk}: {progress.answered}/{progress.applicable} questions answered"
        )

    def _earlier_assessments(self, officer, organisation, created) -> list:
        """The assessments of six months and a year ago, submitted, with lower scores."""
        history = []
        for name, days_ago, maturity in reversed(EARLIER_ASSESSMENTS):
            assessment = Assessment.objects.filter(organisation=organisation, name=name).first()
            if assessment is None:
                assessment = assessment_create(
                    actor=officer,
                    organisation=organisation,
                    name=name,
                    versions=framework_versions_latest_published(),
                    scoping=DEMO_PROFILE,
                )
                _answer_all(officer, assessment, maturity)
                assessment_submit(actor=officer, assessment=assessment)
                # Demo history: the rows are dated back to when that review took place.
                when = timezone.now() - dt.timedelta(days=days_ago)
                Assessment.objects.filter(pk=assessment.pk).update(
                    created_at=when - dt.timedelta(days=20), submitted_at=when, updated_at=when
                )
                created.append(name)
            history.append(assessment)
        return history

    def _people(self, user, organisation, officer, assessment, created) -> None:
        """An organisation admin, and a contributor from legal assigned the first section."""
        admin = user("orgadmin", email="orgadmin@sample-ai.example")
        Membership.objects.get_or_create(
            user=admin, organisation=organisation, defaults={"role": Role.ADMIN}
        )
        legal = user("legal", email="legal@sample-ai.example")
        Membership.objects.get_or_create(
            user=legal, organisation=organisation, defaults={"role": Role.CONTRIBUTOR}
        )
        if not Assignment.objects.filter(assessment=assessment, assignee=legal).exists():
            questionnaire = questionnaire_build(assessment=assessment)
            section = questionnaire.frameworks[-1].sections[0].section
            assignment_create(
                actor=officer,
                assessment=assessment,
                assignee_id=legal.pk,
                section_id=section.pk,
                due_date=timezone.localdate() + dt.timedelta(days=10),
            )
            created.append("assignment")

    def _actions(self, officer, organisation, assessments, created) -> None:
        """Actions in every status, linked to gaps of the assessment they came from."""
        today = timezone.localdate()
        for title, status, due_in, index in DEMO_ACTIONS:
            if Action.objects.filter(organisation=organisation, title=title).exists():
                continue
            assessment = assessments[index] if index < len(assessments) else assessments[0]
            gaps = [
                b.question.pk
                for b in questionnaire_build(assessment=assessment).questions.values()
                if b.counts and b.answer is not None and b.answer.value == "no"
            ]
            pick = int(hashlib.sha256(title.encode()).hexdigest(), 16)
            action = action_create(
                actor=officer,
                organisation=organisation,
                assessment=assessment,
                data=ActionInput(
                    title=title,
                    description="デモ用の対応事項。 / A demo remediation action.",
                    owner_id=officer.pk,
                    due_date=today + dt.timedelta(days=due_in),
                    question_ids=[gaps[pick % len(gaps)]] if gaps else [],
                ),
            )
            if status == "done":
                action_evidence_upload(
                    actor=officer,
                    action=action,
                    upload=SimpleUploadedFile(
                        "completion-note.txt",
                        "対応完了の記録 / Record of completion\n".encode(),
                    ),
                )
            if status != "open":
                action_update(
                    actor=officer,
                    action=action,
                    data=ActionInput(
                        status=status,
                        risk_justification=RISK_JUSTIFICATION
                        if status == "risk_accepted"
                        else None,
                    ),
                )
            created.append(f"action {status}")

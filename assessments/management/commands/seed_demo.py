"""Demo data for the run command: two organisations, their officers and auditors, a staff admin,
and in the first organisation an assessment over all four frameworks with every applicable
question answered. Idempotent: a second run changes nothing."""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.models import Assessment
from assessments.scoping import ScopingProfile
from assessments.selectors import questionnaire_build
from assessments.services import AnswerInput, answer_save, assessment_create
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
COMMENTS = [
    "規程は2026年4月に改訂済み。 / Policy revised in April 2026.",
    "担当部署と次回の見直し時期を決める。 / Owner and next review date to be set.",
    "一部の事業部のみ対応済み。 / Done in some business units only.",
]


def _demo_answer(question) -> AnswerInput:
    """A realistic, deterministic mix: mostly compliant, some partial, some gaps, a few not applicable."""
    roll = int(hashlib.sha256(question.urn.encode()).hexdigest(), 16) % 20
    comment = COMMENTS[roll % 3] if roll % 3 == 0 else ""
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
        return AnswerInput(
            value=[c["key"] for c in by_score[: max(1, len(by_score) // 2)]], comment=comment
        )
    choice = (
        by_score[0] if roll < 11 else by_score[len(by_score) // 2] if roll < 15 else by_score[-1]
    )
    return AnswerInput(value=choice["key"], comment=comment)


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
                        data=_demo_answer(block.question),
                    )
            created.append("assessment")

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
        self.stdout.write(
            f"  demo assessment id {assessment.pk}: {progress.answered}/{progress.applicable} questions answered"
        )

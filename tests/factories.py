"""factory_boy factories shared by the test suite."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from frameworks.choices import Confidence, LegalStatus, QuestionType, Strength, VersionStatus
from frameworks.models import Framework, FrameworkVersion, Provision, Question, Section, Source


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    is_superuser = True


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    urn = factory.Sequence(lambda n: f"urn:tekigo:fw:test-{n}")


class DraftVersionFactory(factory.django.DjangoModelFactory):
    """A draft version; fill it with the content factories, then publish it through the service."""

    class Meta:
        model = FrameworkVersion

    framework = factory.SubFactory(FrameworkFactory)
    version = factory.Sequence(lambda n: f"1.{n}")
    status = VersionStatus.DRAFT
    effective_date = dt.date(2025, 9, 1)
    legal_status = LegalStatus.STATUTE
    name_ja = "テスト枠組み"
    name_en = "Test framework"
    short_name_ja = "テスト"
    short_name_en = "Test"
    description_ja = "説明"
    description_en = "Description"
    issuer_ja = "発行者"
    issuer_en = "Issuer"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    version = factory.SubFactory(DraftVersionFactory)
    key = factory.Sequence(lambda n: f"src-{n}")
    title = "e-Gov"
    publisher = "Digital Agency"
    confidence = Confidence.VERIFIED_PRIMARY


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    version = factory.SubFactory(DraftVersionFactory)
    key = factory.Sequence(lambda n: f"sec-{n}")
    title_ja = "章"
    title_en = "Chapter"


class ProvisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provision

    version = factory.SubFactory(DraftVersionFactory)
    section = factory.SubFactory(SectionFactory, version=factory.SelfAttribute("..version"))
    source = factory.SubFactory(SourceFactory, version=factory.SelfAttribute("..version"))
    urn = factory.LazyAttributeSequence(lambda o, n: f"{o.version.framework.urn}:prov:p{n}")
    ref = factory.Sequence(lambda n: f"Art. {n}")
    title_ja = "条"
    title_en = "Article"
    summary_ja = "要約"
    summary_en = "Summary"
    strength = Strength.BINDING
    actors = factory.LazyFunction(lambda: ["personal_info_handler"])
    confidence = Confidence.VERIFIED_PRIMARY


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    provision = factory.SubFactory(ProvisionFactory)
    version = factory.SelfAttribute("provision.version")
    urn = factory.LazyAttributeSequence(lambda o, n: f"{o.provision.version.framework.urn}:q:q{n}")
    type = QuestionType.YES_NO_PARTIAL
    prompt_ja = "質問"
    prompt_en = "Question?"
    remediation_ja = "対応"
    remediation_en = "Fix it."
    choices = factory.LazyFunction(
        lambda: [
            {"key": "yes", "label_ja": "はい", "label_en": "Yes", "score": 1.0},
            {"key": "partial", "label_ja": "一部", "label_en": "Partly", "score": 0.5},
            {"key": "no", "label_ja": "いいえ", "label_en": "No", "score": 0.0},
        ]
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.Organisation"

    name = factory.Sequence(lambda n: f"Organisation {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.Membership"

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "officer"


# --- Programme: assignments and actions ---


class AssignmentFactory(factory.django.DjangoModelFactory):
    """Give ``assessment`` and ``assignee``, and a ``section`` or a ``question``."""

    class Meta:
        model = "assessments.Assignment"


class ActionFactory(factory.django.DjangoModelFactory):
    """A remediation action of ``organisation`` (optionally of ``assessment``)."""

    class Meta:
        model = "assessments.Action"

    title = factory.Sequence(lambda n: f"Action {n}")


# --- Roll-forward (issue 12) ---


class AnswerFactory(factory.django.DjangoModelFactory):
    """An answer of ``assessment`` to ``question`` (give both); "yes" by default."""

    class Meta:
        model = "assessments.Answer"

    value = "yes"


class EvidenceFactory(factory.django.DjangoModelFactory):
    """An evidence row of ``answer`` naming a stored file (it is not written to the storage)."""

    class Meta:
        model = "assessments.Evidence"

    original_name = factory.Sequence(lambda n: f"policy-{n}.pdf")
    stored_name = factory.Sequence(lambda n: f"{n:032x}.pdf")
    content_type = "application/pdf"
    size = 1234
    sha256 = factory.Sequence(lambda n: f"{n:064x}")

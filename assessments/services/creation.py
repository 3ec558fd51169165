"""Creating an assessment and editing its scoping profile."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import (
    Assessment,
    AssessmentFramework,
)
from assessments.scoping import ScopingProfile
from frameworks.choices import VersionStatus
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_versions_latest_published_by_urn
from portal.models import AuditEventType, Organisation, User

from ._shared import AssessmentStaleError, _audit, _refuse_if_locked, _scoping_check

# --- Create and scope ------------------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    versions: list[FrameworkVersion],
    scoping: ScopingProfile,
) -> Assessment:
    """A new assessment pinned to ``versions`` (published ones, one per framework)."""
    if not versions:
        raise ValidationError({"frameworks": _("Choose at least one framework.")})
    if any(v.status != VersionStatus.PUBLISHED for v in versions):
        raise ValidationError(
            {"frameworks": _("Only published framework versions can be assessed.")}
        )
    if len({v.framework_id for v in versions}) != len(versions):
        raise ValidationError({"frameworks": _("Choose one version per framework.")})
    _scoping_check(scoping)
    assessment = Assessment(
        organisation=organisation, name=name.strip(), scoping=scoping.model_dump(), created_by=actor
    )
    assessment.full_clean()
    assessment.save()
    for order, version in enumerate(versions):
        pin = AssessmentFramework(
            assessment=assessment, framework_id=version.framework_id, version=version, order=order
        )
        pin.full_clean()
        pin.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_CREATED,
        assessment=assessment,
        after={
            "name": assessment.name,
            "versions": [str(v) for v in versions],
            "scoping": assessment.scoping,
        },
    )
    return assessment


def assessment_create_from_urns(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    framework_urns: list[str],
    scoping: ScopingProfile,
) -> Assessment:
    """A new assessment pinned to the newest published version of each framework URN.

    Example: ``framework_urns=["urn:tekigo:fw:appi"]`` pins APPI's newest published version. An
    unknown or unpublished URN is refused naming its position: ``frameworks[1]``.
    """
    versions = framework_versions_latest_published_by_urn(urns=framework_urns)
    missing = {
        f"frameworks[{index}]": _("No published framework %(urn)s.") % {"urn": urn}
        for index, urn in enumerate(framework_urns)
        if urn not in versions
    }
    if missing:
        raise ValidationError(missing)
    return assessment_create(
        actor=actor,
        organisation=organisation,
        name=name,
        versions=[versions[urn] for urn in framework_urns],
        scoping=scoping,
    )


def _bump(assessment: Assessment, expected_revision: int | None) -> None:
    """Refuse a change made from a stale page, then move the revision on."""
    if expected_revision is not None and expected_revision != assessment.revision:
        raise AssessmentStaleError(
            {
                "revision": _(
                    "Someone changed this assessment after you opened it. Reload the page and try again."
                )
            }
        )
    assessment.revision += 1


@transaction.atomic
def assessment_scoping_update(
    *,
    actor: User,
    assessment: Assessment,
    scoping: ScopingProfile,
    expected_revision: int | None = None,
) -> Assessment:
    """Change the scoping profile. Applicability follows; answers are kept even where they no longer apply."""
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    _scoping_check(scoping)
    before = assessment.scoping
    _bump(assessment, expected_revision)
    assessment.scoping = scoping.model_dump()
    assessment.full_clean()
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_SCOPING_CHANGED,
        assessment=assessment,
        before=before,
        after=assessment.scoping,
    )
    return assessment

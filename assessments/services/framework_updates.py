"""Telling assessments that a newer version of a pinned framework is published."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop

from assessments.models import (
    AssessmentFramework,
)
from frameworks.models import FrameworkVersion
from portal.models import Membership, NotificationKind
from portal.services import notify

# --- A newer framework version is published --------------------------------------------------


def framework_version_published_notify(*, version: FrameworkVersion) -> int:
    """Tell the writers of every organisation whose assessments pin an older version of the
    framework that ``version`` is published and an upgrade is offered; returns how many were told.

    One notification per (person, version): organisations with several such assessments get one
    message pointing to the dashboard, where each assessment offers its upgrade.
    """
    from portal.selectors import MemberAccess

    organisations = (
        AssessmentFramework.objects.filter(framework_id=version.framework_id)
        .exclude(version=version)
        .values_list("assessment__organisation_id", flat=True)
        .distinct()
    )
    told = 0
    memberships = Membership.objects.filter(organisation_id__in=list(organisations)).select_related(
        "user", "organisation"
    )
    for membership in memberships:
        if not MemberAccess(membership).can_write:
            continue
        told += (
            notify(
                recipient=membership.user,
                kind=NotificationKind.FRAMEWORK_VERSION_PUBLISHED,
                title=gettext_noop(
                    "New version %(version)s of %(framework)s: an upgrade is offered"
                ),
                params={
                    "version": version.version,
                    "framework": {"ja": version.short_name_ja, "en": version.short_name_en},
                },
                url=reverse("assessments:dashboard"),
                obj=version,
                organisation=membership.organisation,
            )
            is not None
        )
    return told

"""Receivers of the registry's signals: thin adapters that call assessments' services."""

from django.dispatch import receiver

from frameworks.signals import framework_version_published


@receiver(framework_version_published)
def _tell_pinned_assessments(sender, version, **kwargs) -> None:
    from assessments.services import framework_version_published_notify

    framework_version_published_notify(version=version)

"""Immutability of published framework content, enforced below the services.

A published (or retired) version and everything inside it is frozen: saving,
deleting, queryset ``update``/``delete`` and ``bulk_*`` calls that would touch
it raise :class:`FrozenContentError`. Services check first and give a friendlier
message; these guards catch every other path (shell, admin, scripts).
"""

from __future__ import annotations

from django.db import models

__all__ = ["FrozenContentError", "VersionContentQuerySet"]


class FrozenContentError(Exception):
    """An attempt to change published framework content. Clone the version into a draft instead."""

    http_status = 409


def frozen_version_ids(version_ids) -> set[int]:
    from frameworks.choices import VersionStatus
    from frameworks.models.versions import FrameworkVersion

    ids = {pk for pk in version_ids if pk is not None}
    if not ids:
        return set()
    return set(
        FrameworkVersion.objects.filter(pk__in=ids)
        .exclude(status=VersionStatus.DRAFT)
        .values_list("pk", flat=True)
    )


class VersionContentQuerySet(models.QuerySet):
    """Queryset of rows that belong to a framework version (sections, provisions, questions, sources)."""

    def _refuse_if_frozen(self, action: str) -> None:
        from frameworks.choices import VersionStatus

        if self.exclude(version__status=VersionStatus.DRAFT).exists():
            raise FrozenContentError(f"cannot {action} content of a published framework version")

    def update(self, **kwargs):
        self._refuse_if_frozen("update")
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_frozen("delete")
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        if frozen_version_ids(o.version_id for o in objs):
            raise FrozenContentError("cannot update content of a published framework version")
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs, *args, **kwargs):
        from frameworks.models.text import normalise_fields

        objs = list(objs)
        if frozen_version_ids(o.version_id for o in objs):
            raise FrozenContentError("cannot add content to a published framework version")
        # The loader and clone insert in bulk; their text takes the same normal form as a save.
        for obj in objs:
            normalise_fields(obj)
        return super().bulk_create(objs, *args, **kwargs)


class VersionContentModel(models.Model):
    """Base of every row inside a framework version; refuses writes once the version is published."""

    objects = VersionContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if frozen_version_ids([self.version_id]):
            raise FrozenContentError(
                f"{self._meta.verbose_name} belongs to a published version and cannot change"
            )
        from frameworks.models.text import normalise_fields

        normalise_fields(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if frozen_version_ids([self.version_id]):
            raise FrozenContentError(
                f"{self._meta.verbose_name} belongs to a published version and cannot be deleted"
            )
        return super().delete(*args, **kwargs)

"""Account changes are audited wherever they are made: the admin, the password page, the shell,
``createsuperuser``. Model signals catch them all; the services in portal.services write the rows."""

from __future__ import annotations

from django.core.signals import request_finished
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from portal.models import Membership, User
from portal.request_context import request_id_var, request_var
from portal.services import (
    ACCOUNT_FLAGS,
    account_change_record,
    account_delete_record,
    membership_change_record,
)

#: Saving only these fields (e.g. ``last_login`` at sign-in) is not an account change.
_TRACKED = {"password", *ACCOUNT_FLAGS}


@receiver(pre_save, sender=User)
def _user_before(sender, instance: User, raw=False, update_fields=None, **kwargs) -> None:
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _TRACKED.intersection(update_fields):
        instance._audit_skip = True
        return
    instance._audit_skip = False
    instance._audit_before = (
        User.objects.filter(pk=instance.pk).values("password", *ACCOUNT_FLAGS).first()
    )


@receiver(post_save, sender=User)
def _user_after(sender, instance: User, created: bool, raw=False, **kwargs) -> None:
    if raw or getattr(instance, "_audit_skip", False):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    if before is None and not created:
        return
    account_change_record(
        user=instance, before=before, actor=getattr(instance, "_audit_actor", None)
    )


@receiver(pre_delete, sender=User)
def _user_deleted(sender, instance: User, **kwargs) -> None:
    account_delete_record(user=instance)


@receiver(pre_save, sender=Membership)
def _membership_before(sender, instance: Membership, raw=False, **kwargs) -> None:
    instance._audit_role = (
        None
        if raw or instance.pk is None
        else Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    )


@receiver(post_save, sender=Membership)
def _membership_after(sender, instance: Membership, raw=False, **kwargs) -> None:
    if not raw:
        membership_change_record(membership=instance, before_role=instance._audit_role)


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender, instance: Membership, **kwargs) -> None:
    membership_change_record(membership=instance, before_role=instance.role, deleted=True)


@receiver(request_finished)
def _forget_the_request(sender, **kwargs) -> None:
    """The request is over: later log lines and audit rows of this thread are not part of it."""
    request_id_var.set("")
    request_var.set(None)

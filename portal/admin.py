from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.models import AuditEvent, User
from portal.services import user_deactivate


@admin.register(User)
class TekigoUserAdmin(UserAdmin):
    """Users are deactivated, not deleted, once the audit log names them as an actor: deleting
    would rewrite those rows. Every change made here is audited (portal.signals)."""

    actions = ["deactivate_users"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and AuditEvent.objects.filter(actor=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, so each is checked against the log
        return actions

    @admin.action(description=_("Deactivate the selected users"), permissions=["change"])
    def deactivate_users(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            user_deactivate(actor=request.user, user=user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only view of the append-only audit log."""

    list_display = ["occurred_at", "actor_name", "event_type", "object_repr"]
    list_filter = ["event_type"]
    search_fields = ["object_repr", "actor_name", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

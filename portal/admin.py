from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from portal.models import AuditEvent, User

admin.site.register(User, UserAdmin)


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

from django.contrib import admin

from .models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the access log can be searched, never changed."""

    list_display = ["at", "user_label", "role", "action", "object_type", "object_id", "outcome"]
    list_filter = ["action", "outcome", "role"]
    search_fields = ["user_label", "object_id", "event_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

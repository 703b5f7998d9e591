from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: notifications come from the services' outbox (notify), never from a hand in the admin."""

    list_display = ("title", "recipient", "created_at", "read_at", "emailed_at")
    list_filter = ("read_at", "emailed_at")
    search_fields = ("title", "recipient__username")

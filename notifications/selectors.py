"""The notification list: one line per group (notifications.kinds), what asks the reader to act first."""
from django.db.models import Case, Count, IntegerField, Max, Q, When

from .kinds import NotificationKind
from .models import Notification

STATES = ("unread", "read")


def notification_filter(*, user, kind: str = "", state: str = "", action: bool = False, group: str = ""):
    """The user's notifications narrowed by kind, read state, "asks me to act" (unread ones) and group."""
    qs = Notification.objects.filter(recipient=user)
    if kind in NotificationKind.values:
        qs = qs.filter(kind=kind)
    if state == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif state == "read":
        qs = qs.filter(read_at__isnull=False)
    if action:
        qs = qs.filter(action_required=True, read_at__isnull=True)
    if group:
        qs = qs.filter(group_key=group)
    return qs


def notification_groups(queryset):
    """One row per group: its latest notification's id, how many it holds, how many unread, whether one of them
    still asks to act; those that ask first, then the newest. One query, whatever the number of rows."""
    pending = Case(When(action_required=True, read_at__isnull=True, then=1), default=0, output_field=IntegerField())
    return (queryset.order_by().values("group_key")
            .annotate(latest_id=Max("id"), count=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)),
                      pending=Max(pending), latest_at=Max("created_at"))
            .order_by("-pending", "-latest_at", "-latest_id"))


def attach_latest(groups) -> list[dict]:
    """The page's groups with their latest notification (one query)."""
    groups = list(groups)
    latest = Notification.objects.in_bulk([g["latest_id"] for g in groups])
    return [{**g, "note": latest[g["latest_id"]]} for g in groups if g["latest_id"] in latest]

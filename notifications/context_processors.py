def unread_notifications(request):
    """Lazily counted so that pages which never show the bell pay no query."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}

    def count():
        return user.notifications.filter(read_at__isnull=True).count()

    return {"unread_notification_count": count}

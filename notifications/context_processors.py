def unread_notifications(request):
    """Lazily counted (when the user was not read with it) so that pages which never show the bell pay no query."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}

    def count():
        # The session backend (bankpm.auth.UserBackend) read it with the user; mark_read forgets it.
        known = getattr(user, "unread_notification_count", None)
        return known if known is not None else user.notifications.filter(read_at__isnull=True).count()

    return {"unread_notification_count": count}

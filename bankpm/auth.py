"""The session user, read with what every page frame asks of it, in one query."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


class UserBackend(ModelBackend):
    """Django's ModelBackend, whose `get_user` (once per signed-in page request) also reads the unread notification
    count (the bell) and, on PostgreSQL, the department codes (the navigation's audit link asks
    `User.department_codes`) as columns of the user query, instead of one query each on every page."""

    def get_user(self, user_id):
        from accounts.models import Department
        from notifications.models import Notification

        users = get_user_model()._default_manager
        unread = (Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True).order_by()
                  .values("recipient").annotate(n=Count("pk")).values("n"))
        queryset = users.annotate(frame_unread_notifications=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        with_codes = connections[queryset.db].vendor == "postgresql"
        if with_codes:
            from django.contrib.postgres.expressions import ArraySubquery

            codes = Department.objects.filter(members=OuterRef("pk")).order_by().values("code")
            queryset = queryset.annotate(frame_department_codes=ArraySubquery(codes))
        try:
            user = queryset.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        if with_codes:
            user._department_codes = frozenset(user.__dict__.pop("frame_department_codes"))
        user.unread_notification_count = user.__dict__.pop("frame_unread_notifications")
        return user

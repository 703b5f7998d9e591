"""The audit trail over the API: one list, the page's FilterSet, visible by core.roles' rule."""
from rest_framework import mixins, permissions, viewsets

from ..filtersets import AuditEntryFilterSet
from ..models import AuditEntry
from ..roles import audit_can_read
from ..selectors import audit_entries
from ..serializers import AuditEntrySerializer


class CanReadAudit(permissions.BasePermission):
    def has_permission(self, request, view):
        return audit_can_read(request.user)


class AuditEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Audit entries, newest first: compliance, risk, senior management, heads of product and admins read all of
    them; product managers their own products' entries. Filters: product (code or id), object_type, action, actor,
    since, until."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    permission_classes = [permissions.IsAuthenticated, CanReadAudit]
    queryset = AuditEntry.objects.none()  # for the schema generator

    def get_queryset(self):
        return audit_entries(user=self.request.user)
